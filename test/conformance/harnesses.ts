/**
 * One harness per registered connector (`<kind>:<direction>`): it starts a real local peer (a temp
 * folder, a local HTTP server, a local OpenSSH server) and says how to reach it, how to point at a
 * peer that is not there, how to make the peer offer some bytes (sources) and what the peer received
 * (destinations). A connector without a harness fails the conformance suite.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConnector, SourceUnit } from '../../src/sdk/connector.ts';
import { deadPort, startHttpPeer } from '../support/http-peer.ts';
import { startSshd, type Sshd } from '../support/sshd.ts';
import { webhookUnit } from '../../connectors/webhook/index.ts';
import { TEST_SPOOL } from '../support/context.ts';

export interface ConformancePeer {
  /** Options that reach the live local peer. */
  options: Record<string, unknown>;
  /** Options pointing at a peer that is not there (for webhook, which has no peer: a weak secret). */
  missingPeerOptions: Record<string, unknown>;
  /** Sources: the sample input (a file in fixtures/_inputs/) a real sender of this kind would send. */
  input?: string;
  /** Sources: make the peer offer `bytes` as `name`, and return the unit the connector hands out for it. */
  offer?(connector: SourceConnector, bytes: Buffer, name: string): Promise<SourceUnit>;
  /** Destinations: the bytes the peer holds for `fileName` after a delivery. */
  received?(fileName: string): Promise<Buffer>;
  teardown(): Promise<void>;
}

export type HarnessKey = `${string}:${'source' | 'destination'}`;

async function claimNamed(connector: SourceConnector, name: string): Promise<SourceUnit> {
  const units = await connector.claim();
  const unit = units.find((u) => u.name === name);
  if (!unit) throw new Error(`claim() did not offer ${name} (offered: ${units.map((u) => u.name).join(', ') || 'nothing'})`);
  return unit;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cgic-conf-'));
}

/** The sftp harnesses share one sshd per test file. */
let sshd: Promise<Sshd> | undefined;
let sshdUsers = 0;
async function useSshd(): Promise<{ sshd: Sshd; release(): Promise<void> }> {
  sshd ??= startSshd();
  sshdUsers++;
  const s = await sshd;
  return {
    sshd: s,
    release: async () => {
      if (--sshdUsers === 0) {
        const done = sshd;
        sshd = undefined;
        await (await done!).stop();
      }
    },
  };
}

export const HARNESSES: Record<HarnessKey, () => Promise<ConformancePeer>> = {
  'directory:source': async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    return {
      input: 'lims-sample.csv',
      options: { path: join(dir, 'in'), stableMs: 0 },
      missingPeerOptions: { path: join(dir, 'not-mounted') },
      offer: async (connector, bytes, name) => {
        writeFileSync(join(dir, 'in', name), bytes);
        return claimNamed(connector, name);
      },
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },

  'directory:destination': async () => {
    const dir = tempDir();
    return {
      options: { path: dir },
      missingPeerOptions: { path: join(dir, 'not-mounted') },
      received: async (fileName) => readFileSync(join(dir, fileName)),
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },

  'sftp:source': async () => {
    const { sshd: s, release } = await useSshd();
    const dir = mkdtempSync(join(s.dir, 'src-'));
    const login = { host: s.host, port: s.port, username: s.username, privateKey: s.privateKey, hostFingerprint: s.hostFingerprint };
    return {
      input: 'lims-sample.csv',
      options: { ...login, remotePath: dir, stableMs: 0 },
      missingPeerOptions: { ...login, port: await deadPort(), remotePath: dir },
      offer: async (connector, bytes, name) => {
        writeFileSync(join(dir, name), bytes);
        return claimNamed(connector, name);
      },
      teardown: async () => {
        rmSync(dir, { recursive: true, force: true });
        await release();
      },
    };
  },

  'sftp:destination': async () => {
    const { sshd: s, release } = await useSshd();
    const dir = mkdtempSync(join(s.dir, 'dst-'));
    const login = { host: s.host, port: s.port, username: s.username, privateKey: s.privateKey, hostFingerprint: s.hostFingerprint };
    return {
      options: { ...login, remotePath: dir },
      missingPeerOptions: { ...login, port: await deadPort(), remotePath: dir },
      received: async (fileName) => readFileSync(join(dir, fileName)),
      teardown: async () => {
        rmSync(dir, { recursive: true, force: true });
        await release();
      },
    };
  },

  'http-poll:source': async () => {
    let page: Buffer = Buffer.from('{"items":[],"next_cursor":null}');
    const peer = await startHttpPeer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(page);
    });
    return {
      input: 'page.json',
      options: { url: `${peer.url}/api/firearms` },
      missingPeerOptions: { url: `http://127.0.0.1:${await deadPort()}/api/firearms` },
      // The API serves the bytes as its one and only page.
      offer: async (connector, bytes) => {
        page = bytes;
        const [unit] = await connector.claim();
        if (!unit) throw new Error('http-poll claim() offered no unit');
        return unit;
      },
      teardown: () => peer.close(),
    };
  },

  'webhook:source': async () => ({
    input: 'webhook-body.json',
    options: { secret: 'c2f8a1d4e7b0c3f6a9d2e5b8c1f4a7d0e3b6c9f2a5d8e1b4' },
    missingPeerOptions: { secret: 'too-short' },
    // The unit exactly as the server makes it from an accepted request, its body in the spool.
    offer: async (_connector, bytes) => {
      const unit = webhookUnit(bytes);
      await TEST_SPOOL.put(String(unit.ref.spool), bytes);
      return unit;
    },
    teardown: async () => {},
  }),

  'http:destination': async () => {
    const bodies = new Map<string, Buffer>();
    const peer = await startHttpPeer((req, res) => {
      if (req.method !== 'OPTIONS') bodies.set(String(req.headers['idempotency-key']), req.body);
      res.statusCode = req.method === 'OPTIONS' ? 204 : 201;
      res.end();
    });
    return {
      options: { url: `${peer.url}/api/cgic/leads` },
      missingPeerOptions: { url: `http://127.0.0.1:${await deadPort()}/api/cgic/leads` },
      // The conformance deliveries use `delivery-<fileName>` as their id.
      received: async (fileName) => bodies.get(`delivery-${fileName}`) ?? Buffer.alloc(0),
      teardown: () => peer.close(),
    };
  },
};
