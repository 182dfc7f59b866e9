/**
 * http destination: sends each delivery to an agency's REST endpoint or webhook.
 *
 * Input: a rendered delivery. Output: one request, body as is, `Content-Type: <mediaType>` and
 * `Idempotency-Key: <deliveryId>` (the same content always has the same key, so the receiver can
 * drop a repeat after a retry). 2xx is delivered. 408, 429, 5xx, timeouts and network/TLS failures
 * are retryable (`Retry-After`, in seconds or as an HTTP-date, sets the least wait); any other answer
 * is not retried and goes to dead letters.
 */
import { request, type Agent } from 'undici';
import {
  defineConnector,
  type CheckResult,
  type ConnectorContext,
  type Delivery,
  type DeliveryReceipt,
  type DestinationConnector,
} from '../../src/sdk/connector.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput, OptionsResolved } from '../_shared/schema.ts';
import { HubDeliveryError } from '../_shared/delivery-error.ts';
import {
  authHeaders,
  authSchema,
  buildAgent,
  displayUrl,
  excerpt,
  headersSchema,
  networkReason,
  parseRetryAfter,
  readLimited,
  tlsSchema,
} from '../_shared/http.ts';

export const httpDestinationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'http destination options',
  description: 'Sends each delivery as one HTTP request with an Idempotency-Key.',
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Endpoint the deliveries are sent to.',
      examples: ['https://rms.hpd.example.gov/api/cgic/leads'],
    },
    method: {
      enum: ['POST', 'PUT'],
      default: 'POST',
      description: 'HTTP method of each delivery.',
      examples: ['POST'],
    },
    headers: headersSchema,
    auth: authSchema,
    tls: tlsSchema,
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      default: 10000,
      description: 'Time allowed for one delivery (connect, send, answer), in milliseconds; a timeout is retried.',
      examples: [10000],
    },
  },
} as const;

export type HttpDestinationOptions = OptionsResolved<typeof httpDestinationSchema>;

/** Answer bytes kept for the receipt or the error message. */
const ANSWER_EXCERPT_BYTES = 4096;
/** What log lines show instead of an error answer, which can echo the records sent. */
const ANSWER_NOT_LOGGED = '(its answer is kept with the delivery and its dead letter, not logged)';

export class HttpDestination implements DestinationConnector {
  readonly kind = 'http';
  private readonly agent: Agent;
  private readonly target: string;

  constructor(
    private readonly o: HttpDestinationOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.agent = buildAgent(o.tls, o.timeoutMs);
    this.target = displayUrl(o.url);
  }

  /** An OPTIONS request: proves DNS, TCP, TLS (and the client certificate) and that something answers, without delivering. */
  async check(): Promise<CheckResult> {
    try {
      const res = await request(this.o.url, {
        method: 'OPTIONS',
        headers: this.headers(),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.body.dump();
      const s = res.statusCode;
      if (s === 401 || s === 403) return { ok: false, detail: `${this.target} refused the credentials (HTTP ${s})` };
      if (s >= 500) return { ok: false, detail: `${this.target} answered HTTP ${s}` };
      return { ok: true, detail: `${this.target} is reachable (OPTIONS answered HTTP ${s})` };
    } catch (err) {
      return { ok: false, detail: `${this.target} cannot be reached: ${networkReason(err)}` };
    }
  }

  async deliver(d: Delivery): Promise<DeliveryReceipt> {
    const destination = this.ctx.id;
    let res;
    try {
      res = await request(this.o.url, {
        method: this.o.method,
        headers: { ...this.headers(), 'content-type': d.mediaType, 'idempotency-key': d.deliveryId },
        body: d.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw new HubDeliveryError(
        'HUB_ERR_DELIVERY_UNAVAILABLE',
        { destination, target: this.target, reason: networkReason(err) },
        { retryable: true, cause: err },
      );
    }
    let answer: Buffer;
    try {
      answer = (await readLimited(res.body, ANSWER_EXCERPT_BYTES)).buf;
    } catch {
      answer = Buffer.alloc(0);
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      this.ctx.log.debug({ delivery: d.deliveryId, status }, 'http: delivered');
      return { status, detail: excerpt(answer) };
    }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      throw new HubDeliveryError(
        'HUB_ERR_DELIVERY_UNAVAILABLE',
        { destination, target: this.target, reason: `HTTP ${status}: ${excerpt(answer)}` },
        { retryable: true, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), logged: { reason: `HTTP ${status} ${ANSWER_NOT_LOGGED}` } },
      );
    }
    throw new HubDeliveryError(
      'HUB_ERR_DELIVERY_REJECTED',
      { destination, target: this.target, status, reason: excerpt(answer) },
      { retryable: false, status, logged: { reason: ANSWER_NOT_LOGGED } },
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private headers(): Record<string, string> {
    const extra = Object.fromEntries(Object.entries(this.o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { 'user-agent': 'cgic-hub', ...extra, ...authHeaders(this.o.auth) };
  }
}

export const httpDestination = defineConnector<OptionsInput<typeof httpDestinationSchema>>({
  kind: 'http',
  direction: 'destination',
  description: 'Sends each delivery to an HTTP(S) endpoint with an Idempotency-Key, optionally over mutual TLS; 408/429/5xx are retried.',
  optionsSchema: httpDestinationSchema,
  create: (options, ctx) => new HttpDestination(resolveOptions<HttpDestinationOptions>('http', httpDestinationSchema, options, ctx.id), ctx),
});
