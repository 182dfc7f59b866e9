/**
 * A `DeliveryError` (the SDK contract: retryable or not, Retry-After) that also carries the hub error
 * code, so dead letters and logs show a stable `HUB_ERR_DELIVERY_*` code with its "how to fix".
 */
import { DeliveryError } from '../../src/sdk/connector.ts';
import { ERRORS, formatMessage, type ErrorCode } from '../../src/errors/registry.ts';

export class HubDeliveryError extends DeliveryError {
  readonly code: ErrorCode;
  readonly params: Record<string, unknown>;
  constructor(
    code: ErrorCode,
    params: Record<string, unknown>,
    opts: { retryable?: boolean; retryAfterMs?: number; status?: number; cause?: unknown; logged?: Record<string, unknown> } = {},
  ) {
    super(
      `${code}: ${formatMessage(code, params)}`,
      opts.retryable ?? ERRORS[code].class === 'transient',
      opts.retryAfterMs,
      opts.status,
      // As logs show it: `opts.logged` in place of params that quote the destination's answer, which
      // can echo the records it was sent.
      opts.logged ? `${code}: ${formatMessage(code, { ...params, ...opts.logged })}` : undefined,
    );
    this.code = code;
    this.params = params;
    if (opts.cause !== undefined) (this as { cause?: unknown }).cause = opts.cause;
  }
}
