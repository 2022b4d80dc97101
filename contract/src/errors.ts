/** Every `code` an error body can carry (docs/http-api.md, "Errors"). */
export const errorCodes = [
  'invalid_request',
  'unauthorized',
  'sale_not_found',
  'not_found',
  'not_started',
  'ended',
  'limit_reached',
  'sold_out',
  'rate_limited',
  'unavailable',
  'outcome_unknown',
  'payload_too_large',
  'unsupported_media_type',
  'method_not_allowed',
  'not_implemented',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** The body of every error answer: a `code` a program can switch on, a `message` for people. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

const known: ReadonlySet<string> = new Set(errorCodes);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && known.has(value);
}
