import { HttpErrorResponse } from '@angular/common/http';
import { type ErrorBody, type ErrorCode, isErrorCode } from '@flashsale/contract';

/**
 * An error answer of the API (the contract's `{"error": {"code", "message"}}`) plus what the
 * headers say. Two codes are the storefront's own: `network` when no answer arrived, and
 * `http_error` for an answer without the contract's body (a proxy's page, say).
 */
export interface ApiError {
  /** HTTP status; 0 when no answer arrived (network down, CORS refused, aborted). */
  readonly status: number;
  readonly code: ErrorCode | 'network' | 'http_error';
  readonly message: string;
  /** Seconds from Retry-After, when the answer carried one. */
  readonly retryAfterSeconds?: number;
}

function retryAfter(error: HttpErrorResponse, nowMs: number): number | undefined {
  const header = error.headers?.get('Retry-After');
  if (header === null || header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** The contract's error, as far as the body is one: nothing is trusted field by field. */
type MaybeErrorBody = { readonly error?: Partial<Record<keyof ErrorBody['error'], unknown>> };

/** `nowMs` is the browser's time (`BROWSER_NOW`), against which a Retry-After date is read. */
export function apiError(error: unknown, nowMs: number): ApiError {
  if (!(error instanceof HttpErrorResponse))
    return { status: 0, code: 'network', message: String(error) };
  const body = (error.error as MaybeErrorBody | null)?.error;
  const code = isErrorCode(body?.code) ? body.code : error.status === 0 ? 'network' : 'http_error';
  const message = typeof body?.message === 'string' ? body.message : error.message;
  const seconds = retryAfter(error, nowMs);
  return seconds === undefined
    ? { status: error.status, code, message }
    : { status: error.status, code, message, retryAfterSeconds: seconds };
}
