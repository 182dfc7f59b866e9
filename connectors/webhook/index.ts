/**
 * webhook source: bodies POSTed by a sender to `POST /hooks/:connector`, signed with a shared secret.
 *
 * The HTTP route lives in the server; this kind provides the options, the signature check and the
 * unit. Input: the request headers and raw body. Output (`accept`): a unit referring to the body by
 * its spool id (`ref.spool`: the hub keeps bodies in its store, never in queue jobs), or a HubError
 * the route answers with (401 signature, 413 too large). The unit id is derived from the body, so a
 * sender's retry of the same body is the same unit. `claim()` returns nothing (units arrive by HTTP);
 * `read()` yields the spooled body as one part; `ack()` drops it from the spool, `reject()` keeps it
 * in the rejected spool with its errors, `restore()` queues it again for a replay.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { defineConnector, type BodySpool, type CheckResult, type ConnectorContext, type SourceConnector, type SourcePart, type SourceUnit } from '../../src/sdk/connector.ts';
import { excerpt } from '../../src/errors/excerpt.ts';
import { CHARSET_NAME_MAX, contentTypeCharset } from '../../src/formats/sender-charset.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput, OptionsResolved } from '../_shared/schema.ts';
import { checkSignatureHeaders, DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMESTAMP_HEADER, sign, verifySignature, type VerifyResult } from './signature.ts';

export { sign, verifySignature, type VerifyResult };

/** Shorter secrets are accepted by the schema but reported by `check()`. */
export const MIN_SECRET_LENGTH = 32;

export const webhookSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'webhook source options',
  description: 'Receives signed POST bodies at /hooks/<connector id>.',
  type: 'object',
  additionalProperties: false,
  required: ['secret'],
  properties: {
    secret: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: `Shared HMAC-SHA256 secret, known to the sender and the hub only. At least ${MIN_SECRET_LENGTH} random characters (openssl rand -hex 32).`,
      examples: ['${env:HPD_WEBHOOK_SECRET}'],
    },
    toleranceSeconds: {
      type: 'integer',
      minimum: 1,
      default: 300,
      description: 'A request whose timestamp is further than this from the hub\'s clock (either way) is refused as stale, which stops replays.',
      examples: [300],
    },
    maxBytes: {
      type: 'integer',
      minimum: 1,
      default: 10485760,
      description: 'Largest body accepted, in bytes; larger requests are refused with 413.',
      examples: [10485760],
    },
    signatureHeader: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_SIGNATURE_HEADER,
      description: 'Header carrying sha256=<hex HMAC>.',
      examples: [DEFAULT_SIGNATURE_HEADER],
    },
    timestampHeader: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_TIMESTAMP_HEADER,
      description: 'Header carrying the Unix time (seconds) the sender signed at.',
      examples: [DEFAULT_TIMESTAMP_HEADER],
    },
    maxBacklog: {
      type: 'integer',
      minimum: 1,
      default: 1000,
      description: 'Bodies received but not yet processed at which the connector answers 429 with Retry-After (nothing is queued) until the workers catch up.',
      examples: [1000, 200],
    },
    maxBacklogBytes: {
      type: 'integer',
      minimum: 1,
      default: 268435456,
      description: 'Bytes of bodies received but not yet processed past which a body is answered 429 with Retry-After (256 MiB by default).',
      examples: [268435456],
    },
    retryAfterSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      default: 30,
      description: 'The Retry-After of a 429 answer (backlog full), in seconds.',
      examples: [30],
    },
  },
} as const;

export type WebhookOptions = OptionsResolved<typeof webhookSchema>;

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Defaults to the current time. */
  now?: Date | number;
}

/**
 * An accepted request: its unit (the body goes to the spool under `unit.ref.spool`), what was signed,
 * and a charset its Content-Type named that the hub cannot decode (`unreadableCharset`, bounded).
 */
export type AcceptResult = { ok: true; unit: SourceUnit; body: Buffer; signature: string; timestamp: number; unreadableCharset?: string } | { ok: false; error: HubError };

export class WebhookSource implements SourceConnector {
  readonly kind = 'webhook';
  /** Units arrive by HTTP only: one that is not acknowledged is never offered again by claim(). */
  readonly reclaims = false;
  /** A body is read whole: no cursor. */
  readonly resumes = false;

  constructor(
    readonly options: WebhookOptions,
    private readonly ctx: ConnectorContext,
  ) {}

  /** Largest body the route should read before answering 413. */
  get maxBytes(): number {
    return this.options.maxBytes;
  }

  async check(): Promise<CheckResult> {
    const n = this.options.secret.length;
    if (n < MIN_SECRET_LENGTH) {
      return {
        ok: false,
        detail: `the secret has ${n} characters; use at least ${MIN_SECRET_LENGTH} random ones (openssl rand -hex 32)`,
      };
    }
    return { ok: true, detail: `receives signed bodies at POST /hooks/${this.ctx.id} (up to ${this.options.maxBytes} bytes, ±${this.options.toleranceSeconds}s)` };
  }

  /** Whether a request's headers alone fail its signature check (missing, malformed, stale): it cannot be correctly signed, whatever its body. */
  unsignable(headers: WebhookRequest['headers'], now: Date | number = Date.now()): boolean {
    return !checkSignatureHeaders({ toleranceSeconds: this.options.toleranceSeconds, headers, now, signatureHeader: this.options.signatureHeader, timestampHeader: this.options.timestampHeader }).ok;
  }

  /** Check a received request; the route answers 202 once the unit is queued, or the error's status. */
  accept(req: WebhookRequest): AcceptResult {
    if (req.body.length > this.options.maxBytes) {
      return { ok: false, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', { connector: this.ctx.id, maxBytes: this.options.maxBytes }) };
    }
    // Bodies are read as sent: a compressed one would be read as garbled text and fail as a bad file.
    const encoding = headerValue(req.headers, 'content-encoding')?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      return { ok: false, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_ENCODING', { connector: this.ctx.id, encoding: excerpt(encoding, 40) }) };
    }
    const v = verifySignature({
      secret: this.options.secret,
      toleranceSeconds: this.options.toleranceSeconds,
      headers: req.headers,
      body: req.body,
      now: req.now ?? Date.now(),
      signatureHeader: this.options.signatureHeader,
      timestampHeader: this.options.timestampHeader,
    });
    if (!v.ok) {
      // Logged by the route (webhook: request refused), which knows whether the sender is past its rate limit.
      return { ok: false, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE', { connector: this.ctx.id, reason: v.detail ? `${v.reason}: ${v.detail}` : v.reason }) };
    }
    const timestamp = Number(headerValue(req.headers, this.options.timestampHeader));
    const signature = headerValue(req.headers, this.options.signatureHeader)!.slice('sha256='.length).toLowerCase();
    // The charset the body is said to be in travels with it (src/formats/sender-charset.ts); one the hub
    // cannot decode is handed back for the intake to refuse if the connector's mapping would read it.
    const charset = contentTypeCharset(headerValue(req.headers, 'content-type'));
    const unit = webhookUnit(req.body, new Date(req.now ?? Date.now()), charset?.known ? charset.name : undefined);
    return { ok: true, unit, body: req.body, signature, timestamp, ...(charset && !charset.known ? { unreadableCharset: excerpt(charset.name, CHARSET_NAME_MAX) } : {}) };
  }

  async claim(): Promise<SourceUnit[]> {
    return []; // units arrive through POST /hooks/:connector
  }

  async *read(unit: SourceUnit, _resumeFrom: string | null): AsyncIterable<SourcePart> {
    // Units queued before bodies were spooled carry the body itself.
    if (typeof unit.ref.body === 'string') {
      yield { stream: Readable.from([Buffer.from(unit.ref.body, 'base64')]), name: unit.name };
      return;
    }
    const id = spoolIdOf(unit);
    const body = await this.spool().read(id);
    if (!body) throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: `spool ${id}` });
    const charset = typeof unit.ref.charset === 'string' ? unit.ref.charset : undefined;
    yield { stream: Readable.from([body]), name: unit.name, ...(charset ? { charset } : {}) };
  }

  /** The body's records are committed: it leaves the spool (the sender got its 202 when it was queued). */
  async ack(unit: SourceUnit): Promise<void> {
    if (typeof unit.ref.spool === 'string') await this.spool().remove(unit.ref.spool);
  }

  /** Keep the body in the rejected spool with its errors, for a replay. */
  async reject(unit: SourceUnit, errors: unknown[]): Promise<SourceUnit | null> {
    if (typeof unit.ref.spool !== 'string') {
      this.ctx.log.warn({ unit: unit.id, errors: errors.length }, 'webhook: body rejected');
      return unit;
    }
    const kept = await this.spool().reject(unit.ref.spool, errors);
    this.ctx.log.warn({ unit: unit.id, spool: unit.ref.spool, errors: errors.length }, kept ? 'webhook: body rejected; kept in the rejected spool' : 'webhook: body rejected; it is no longer in the spool');
    return kept ? unit : null;
  }

  /** A rejected body queued again (a replay). */
  async restore(unit: SourceUnit): Promise<SourceUnit> {
    const id = spoolIdOf(unit);
    if (!(await this.spool().restore(id))) throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: `spool ${id}` });
    return unit;
  }

  private spool(): BodySpool {
    if (!this.ctx.spool) throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `webhook connector ${this.ctx.id} was created without a spool` });
    return this.ctx.spool;
  }
}

function spoolIdOf(unit: SourceUnit): string {
  if (typeof unit.ref.spool !== 'string') throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `webhook unit ${unit.id} has no ref.spool` });
  return unit.ref.spool;
}

function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return (Array.isArray(v) ? v[0] : v)?.trim();
  return undefined;
}

/**
 * The unit for a received body: its id is the body's hash, so the same body sent twice is one unit;
 * `ref.spool` is where this request's body is kept (one spool entry per request); `ref.charset`, the
 * charset its Content-Type named, when it named one.
 */
export function webhookUnit(body: Buffer, receivedAt: Date = new Date(), charset?: string): SourceUnit {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return spooledWebhookUnit({ id: randomUUID(), sha256, bytes: body.length, receivedAt: receivedAt.toISOString(), charset: charset ?? null });
}

/** The unit of a body already in the spool (what `webhookUnit` made for it when it was received). */
export function spooledWebhookUnit(b: { id: string; sha256: string; bytes: number; receivedAt: string; charset: string | null }): SourceUnit {
  return {
    id: `webhook:${b.sha256.slice(0, 32)}`,
    name: `webhook-${b.receivedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${b.sha256.slice(0, 8)}`,
    ref: { spool: b.id, receivedAt: b.receivedAt, bytes: b.bytes, sha256: b.sha256, ...(b.charset ? { charset: b.charset } : {}) },
  };
}

export const webhookSource = defineConnector<OptionsInput<typeof webhookSchema>>({
  kind: 'webhook',
  direction: 'source',
  description: 'Receives HMAC-signed POST bodies at /hooks/<connector id>; each body is one transfer.',
  optionsSchema: webhookSchema,
  create: (options, ctx) => new WebhookSource(resolveOptions<WebhookOptions>('webhook', webhookSchema, options, ctx.id), ctx),
});
