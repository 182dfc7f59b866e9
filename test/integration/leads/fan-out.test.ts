/**
 * Fan-out at statewide scale: 100 agencies (each its own destination and delivery queue), 100 leads of
 * 5 events each (500 linked events): every agency gets each of its packages exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { AgencyServer, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { leadLine, oriOf } from '../../support/leads.ts';

let env: TestEnv | null = null;
let server: AgencyServer | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await server?.stop();
});

describe('lead fan-out', () => {
  it('100 agencies, 500 linked events: every package delivered exactly once', async () => {
    server = await new AgencyServer().start();
    const agencies = Array.from({ length: 100 }, (_, i) => ({
      ori: oriOf(i),
      name: `Agency ${i}`,
      destinations: [{ id: `rms-${i}`, kind: 'http', content: ['leads'], leadFormat: 'out-lead-json', options: { url: `${server!.url}?ori=${oriOf(i)}` } }],
    }));
    env = await testEnv({
      agencies: [{ ori: 'CTFSL0000', name: 'Lab', kind: 'lab' }, ...agencies],
      connectors: [{ id: 'nibin', kind: 'directory', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: 'nibin-lead', options: { path: 'DIR', stableMs: 0 } }],
      delivery: { attempts: 5, backoffMs: 50, maxBackoffMs: 200, concurrency: 2 },
    });
    mkdirSync(path.join(env.dir, 'in'));
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace('path: DIR', `path: ${path.join(env.dir, 'in')}`) + stringify({ leads: { enrichmentWaitSeconds: 0 } }));
    const hub = await env.start();
    const lines = Array.from({ length: 100 }, (_, n) => leadLine(n, [0, 1, 2, 3, 4].map((j) => oriOf((n * 7 + j * 13) % 100))));
    const eventCount = lines.reduce((a, l) => a + (JSON.parse(l).events as unknown[]).length, 0);
    expect(eventCount).toBe(500);
    writeFileSync(path.join(env.dir, 'in', 'leads.ndjson'), lines.join('\n') + '\n');
    await runOnce(hub, 'nibin');
    const expected = new Set(lines.flatMap((l) => {
      const o = JSON.parse(l) as { leadId: string; events: { agencyOri: string }[] };
      return o.events.map((e) => `${o.leadId}|${e.agencyOri}`);
    }));
    await waitFor('every package', () => server!.okRequests().length >= expected.size, 120_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    const got = server.okRequests().map((r) => {
      const p = JSON.parse(r.body) as { lead_id: string; recipient: { ori: string } };
      return `${p.lead_id}|${p.recipient.ori}`;
    });
    expect(got.length).toBe(expected.size);
    expect(new Set(got).size).toBe(got.length); // none twice
    expect(new Set(got)).toEqual(expected); // none missing, none extra
    expect(new Set(server.okRequests().map((r) => r.idempotencyKey)).size).toBe(got.length);
    console.log(`fan-out: ${lines.length} leads, ${eventCount} events, ${new Set(got.map((g) => g.split('|')[1])).size} agencies, ${got.length} packages, each once`);
  }, 180_000);
});
