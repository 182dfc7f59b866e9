/**
 * webhook source: bodies POSTed by a sender to `POST /hooks/:connector`, signed with a shared secret.
 *
 * The HTTP route lives in the server; this kind provides the options, the signature check and the
 * unit. Input: the request headers and raw body. Output (`accept`): a unit carrying the body
 * (`ref.body`, base64), or a HubError the route answers with (401 signature, 413 too large). The unit
 * id is derived from the body, so a sender's retry of the same body is the same unit. `claim()`
 * returns nothing (units arrive by HTTP); `read()` yields the body as one part.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { defineConnector, type CheckResult, type ConnectorContext, type SourceConnector, type SourcePart, type SourceUnit } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput, OptionsResolved } from '../_shared/schema.ts';
import { DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMESTAMP_HEADER, sign, verifySignature, type VerifyResult } from './signature.ts';

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
  },
} as const;

export type WebhookOptions = OptionsResolved<typeof webhookSchema>;

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Defaults to the current time. */
  now?: Date | number;
}

export type AcceptResult = { ok: true; unit: SourceUnit } | { ok: false; error: HubError };

export class WebhookSource implements SourceConnector {
  readonly kind = 'webhook';

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

  /** Check a received request; the route answers 202 once the unit is queued, or the error's status. */
  accept(req: WebhookRequest): AcceptResult {
    if (req.body.length > this.options.maxBytes) {
      return { ok: false, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', { connector: this.ctx.id, maxBytes: this.options.maxBytes }) };
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
      this.ctx.log.warn({ reason: v.reason, bytes: req.body.length }, 'webhook: request refused');
      return { ok: false, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE', { connector: this.ctx.id, reason: v.reason }) };
    }
    return { ok: true, unit: webhookUnit(req.body, new Date(req.now ?? Date.now())) };
  }

  async claim(): Promise<SourceUnit[]> {
    return []; // units arrive through POST /hooks/:connector
  }

  async *read(unit: SourceUnit, _resumeFrom: string | null): AsyncIterable<SourcePart> {
    const body = unit.ref.body;
    if (typeof body !== 'string') throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `webhook unit ${unit.id} has no ref.body` });
    yield { stream: Readable.from([Buffer.from(body, 'base64')]), name: unit.name };
  }

  async ack(_unit: SourceUnit): Promise<void> {
    // The sender got its 202 when the unit was queued; nothing to acknowledge.
  }

  async reject(unit: SourceUnit, errors: unknown[]): Promise<void> {
    this.ctx.log.warn({ unit: unit.id, errors: errors.length }, 'webhook: body rejected');
  }
}

/** The unit for a received body: its id is the body's hash, so the same body sent twice is one unit. */
export function webhookUnit(body: Buffer, receivedAt: Date = new Date()): SourceUnit {
  const hash = createHash('sha256').update(body).digest('hex');
  return {
    id: `webhook:${hash.slice(0, 32)}`,
    name: `webhook-${receivedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${hash.slice(0, 8)}`,
    ref: { body: body.toString('base64'), receivedAt: receivedAt.toISOString(), bytes: body.length, sha256: hash },
  };
}

export const webhookSource = defineConnector<OptionsInput<typeof webhookSchema>>({
  kind: 'webhook',
  direction: 'source',
  description: 'Receives HMAC-signed POST bodies at /hooks/<connector id>; each body is one transfer.',
  optionsSchema: webhookSchema,
  create: (options, ctx) => new WebhookSource(resolveOptions<WebhookOptions>('webhook', webhookSchema, options, ctx.id), ctx),
});
