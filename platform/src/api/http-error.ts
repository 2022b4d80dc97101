import type { ErrorCode } from '@flashsale/contract';

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
