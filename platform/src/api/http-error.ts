/** Error codes of the HTTP contract (plus transport-level ones for malformed requests). */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'sale_not_found'
  | 'not_found'
  | 'not_started'
  | 'ended'
  | 'limit_reached'
  | 'sold_out'
  | 'rate_limited'
  | 'unavailable'
  | 'outcome_unknown'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_implemented'
  | 'internal';

/** What a handler throws to answer with the contract's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    // These are answers, not faults: after a sell-out most requests end in one, and
    // capturing a stack trace for each would cost more than the answer itself.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'HttpError';
  }
}
