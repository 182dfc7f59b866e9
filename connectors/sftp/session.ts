/**
 * One SFTP session per connector instance (ssh2-sftp-client), opened on first use and opened again
 * after the server or the network dropped it. Also the connection options shared by the sftp source
 * and destination, and the classification of SFTP failures (who must act).
 *
 * Deadlines: opening the session, and every request made through `run` (list, stat, rename, put,
 * mkdir...), must be answered within `timeoutMs`; a download must not stall longer (guardedStream).
 * Past it the session is closed at once (its socket destroyed: a stuck request holds it, and SSH
 * keepalive would notice only after 45-60 s), the operation fails with SftpTimeout, and the next
 * call opens a new session.
 */
import { createHash } from 'node:crypto';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import type { Logger } from 'pino';

export const connectionProperties = {
  host: {
    type: 'string',
    minLength: 1,
    description: 'SFTP server host name or address.',
    examples: ['sftp.lab.example.gov'],
  },
  port: {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    default: 22,
    description: 'SSH port.',
    examples: [22, 2222],
  },
  username: {
    type: 'string',
    minLength: 1,
    description: 'SSH user name.',
    examples: ['cgic'],
  },
  password: {
    type: 'string',
    'x-secret': true,
    description: 'Password; give this or privateKey.',
    examples: ['${env:LAB_SFTP_PASSWORD}'],
  },
  privateKey: {
    type: 'string',
    minLength: 1,
    'x-secret': true,
    description: 'Private key as PEM / OpenSSH text (RSA, ECDSA or Ed25519); give this or password.',
    examples: ['${file:/run/secrets/lab_sftp_key}'],
  },
  passphrase: {
    type: 'string',
    'x-secret': true,
    description: 'Passphrase of privateKey, if it is encrypted.',
    examples: ['${env:LAB_SFTP_KEY_PASSPHRASE}'],
  },
  hostFingerprint: {
    type: 'string',
    pattern: '^(SHA256:)?[A-Za-z0-9+/]{43}=?$',
    description:
      'SHA256 fingerprint of the server\'s host key, as `ssh-keygen -lf <key>.pub` prints it; when set, any other host key is refused. Strongly recommended.',
    examples: ['SHA256:ZfkCyJ7RZ0wS1bIqIY6uD0GzvIb6Bq8o7q0fYq6N1Xk'],
  },
  remotePath: {
    type: 'string',
    minLength: 1,
    description: 'Remote folder (absolute, or relative to the login folder).',
    examples: ['/exports/lims', 'outbound'],
  },
  timeoutMs: {
    type: 'integer',
    minimum: 100,
    default: 20000,
    description:
      'Time allowed to connect and authenticate, for the server to answer each request (list, stat, rename, an upload), and, while a file is downloaded, to send its next bytes, in milliseconds. Past it the session is closed and the operation fails (retried on a new session).',
    examples: [20000],
  },
} as const;

/** Password or private key: one is needed. */
export const credentialRule = [
  { required: ['password'], properties: { password: true } },
  { required: ['privateKey'], properties: { privateKey: true } },
] as const;

export interface ConnectionOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  hostFingerprint?: string;
  remotePath: string;
  timeoutMs: number;
}

export type SftpFailure = 'missing' | 'access' | 'login' | 'io';

/** What kind of failure an SFTP error is: SFTP status 2/3, login and host-key refusals, or anything else. */
export function classifySftpError(err: unknown): SftpFailure {
  const e = err as { code?: unknown; message?: string; level?: string };
  const msg = e?.message ?? '';
  if (e?.code === 2 || e?.code === 'ENOENT' || /No such file/i.test(msg)) return 'missing';
  if (e?.code === 3 || e?.code === 'EACCES' || /Permission denied/i.test(msg)) return 'access';
  if (
    e?.code === 'ERR_BAD_AUTH' ||
    e?.level === 'client-authentication' ||
    /authentication methods failed|Host denied|host key|verification failed/i.test(msg)
  ) {
    return 'login';
  }
  return 'io';
}

/** A request the server did not answer within timeoutMs (the session is closed by then). */
export class SftpTimeout extends Error {
  constructor(
    readonly request: string,
    readonly ms: number,
  ) {
    super(`the server did not answer ${request} within ${ms} ms (timeoutMs); the session was closed and the next run opens a new one`);
    this.name = 'SftpTimeout';
  }
}

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export class SftpSession {
  private client: SftpClient | undefined;
  private connecting: Promise<SftpClient> | undefined;

  constructor(
    private readonly o: ConnectionOptions,
    private readonly log: Logger,
    private readonly name: string,
  ) {}

  get target(): string {
    return `sftp://${this.o.username}@${this.o.host}:${this.o.port}`;
  }

  /** The connected client, connecting first if needed. */
  async get(): Promise<SftpClient> {
    if (this.client) return this.client;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Run `fn` on the session, each request it makes bounded by timeoutMs. A request past it closes the
   * session and fails the whole run with SftpTimeout, even where `fn` catches the failure of that one
   * request (its later requests fail at once: the session is gone). A failure that looks like a lost
   * connection drops the session too, so the next call reconnects.
   */
  async run<T>(fn: (c: SftpClient) => Promise<T>): Promise<T> {
    const c = await this.get();
    const guarded = this.withDeadlines(c);
    try {
      const result = await fn(guarded.client);
      if (guarded.timedOut) throw guarded.timedOut;
      return result;
    } catch (err) {
      if (guarded.timedOut) throw guarded.timedOut;
      if (classifySftpError(err) === 'io' && !(c as unknown as { sftp?: unknown }).sftp) this.drop(c);
      throw err;
    }
  }

  /** Drop the session at once (a stuck request holds it): the next call connects anew. */
  reset(): void {
    if (this.client) this.drop(this.client, true);
  }

  async end(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
  }

  /** Forget the session and end it; `destroy` also closes its socket at once (a stuck server would never answer the goodbye). */
  private drop(c: SftpClient, destroy = false): void {
    if (this.client === c) this.client = undefined;
    void c.end().catch(() => {});
    if (destroy) (c as unknown as { client?: { destroy(): void } }).client?.destroy();
  }

  /**
   * The client as `fn` sees it: every method that returns a promise (a request) is bounded by
   * timeoutMs. Methods called from inside ssh2-sftp-client (mkdir's own exists, put's own stat) run
   * under the deadline of the call that made them.
   */
  private withDeadlines(c: SftpClient): { client: SftpClient; timedOut: SftpTimeout | undefined } {
    const ms = this.o.timeoutMs;
    const state: { client: SftpClient; timedOut: SftpTimeout | undefined } = { client: c, timedOut: undefined };
    state.client = new Proxy(c, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          if (state.timedOut) throw state.timedOut;
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              const request = String(prop);
              state.timedOut = new SftpTimeout(request, ms);
              this.log.warn({ target: this.target, request, timeoutMs: ms }, 'sftp: the server did not answer a request within timeoutMs; session closed');
              reject(state.timedOut);
              this.drop(c, true);
            }, ms);
            result.then(
              (v) => {
                clearTimeout(timer);
                resolve(v);
              },
              (err: unknown) => {
                clearTimeout(timer);
                reject(err);
              },
            );
          });
        };
      },
    });
    return state;
  }

  private async open(): Promise<SftpClient> {
    const o = this.o;
    // Loaded at the first connection: ssh2 (its WebAssembly ciphers among it) is over 10 MiB that a
    // hub without an SFTP connector, or before its first session, does not need.
    const { default: SftpClient } = await import('ssh2-sftp-client');
    // The callbacks fire when the server or the network ends an idle session; the next call reconnects.
    const c: SftpClient = new SftpClient(this.name, {
      error: (err: unknown) => {
        this.log.warn({ err, target: this.target }, 'sftp: session error; reconnecting on next use');
        this.drop(c);
      },
      end: () => this.drop(c),
      close: () => this.drop(c),
    });
    const want = o.hostFingerprint ? normalizeFingerprint(o.hostFingerprint) : undefined;
    // readyTimeout bounds the handshake and the login; the SFTP channel opened after them gets its own
    // timeoutMs here (a server can log the hub in and never start its SFTP subsystem).
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      c.on('ready', () => {
        timer = setTimeout(() => {
          reject(new SftpTimeout('the opening of the SFTP session', o.timeoutMs));
          this.drop(c, true);
        }, o.timeoutMs);
      });
    });
    const connecting = c.connect({
      host: o.host,
      port: o.port,
      username: o.username,
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.privateKey !== undefined ? { privateKey: o.privateKey } : {}),
      ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
      readyTimeout: o.timeoutMs,
      keepaliveInterval: 15000,
      ...(want
        ? {
            hostVerifier: (key: Buffer) => {
              const got = fingerprintOf(key);
              if (got !== want) this.log.error({ target: this.target, expected: want, got }, 'sftp: host key fingerprint does not match hostFingerprint');
              return got === want;
            },
          }
        : {}),
    });
    try {
      await Promise.race([connecting, deadline]);
    } finally {
      clearTimeout(timer);
    }
    this.client = c;
    return c;
  }
}

/**
 * A remote read stream as a plain Readable: errors while reading reach the consumer, and an error
 * the SFTP stream raises after the consumer finished (closing the remote handle on a session that is
 * going away) is logged instead of crashing the process as an unhandled 'error' event.
 *
 * With `stall`, a server that sends nothing for `stall.ms` while the hub waits for bytes (a server
 * that keeps the session alive but stopped answering reads) fails the stream with `stall.error()`
 * and calls `stall.onStall` (the session is dropped: its next request would queue behind the stuck
 * one). Time the consumer keeps the stream full (backpressure) is not counted.
 */
export function guardedStream(
  remote: Readable,
  onLateError: (err: Error) => void,
  stall?: { ms: number; error: () => Error; onStall: () => void },
): Readable {
  const out = new PassThrough();
  let timer: NodeJS.Timeout | undefined;
  let last = Date.now();
  if (stall) {
    timer = setInterval(() => {
      if (out.writableNeedDrain || out.readableLength >= out.readableHighWaterMark) last = Date.now(); // waiting on the consumer
      else if (Date.now() - last >= stall.ms) {
        clearInterval(timer);
        out.destroy(stall.error()); // first, so the consumer gets this error rather than the session's end
        stall.onStall();
      }
    }, Math.max(50, Math.min(1000, Math.floor(stall.ms / 4))));
    timer.unref();
  }
  pipeline(remote, out, (err) => {
    if (timer) clearInterval(timer);
    if (err) onLateError(err);
  });
  if (stall) {
    remote.on('data', () => {
      last = Date.now();
    });
  }
  return out;
}

function normalizeFingerprint(f: string): string {
  const b64 = f.replace(/^SHA256:/, '').replace(/=+$/, '');
  return `SHA256:${b64}`;
}
