import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { apiError } from './api-error';

const now = Date.parse('2030-01-01T10:00:00.000Z');

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new HttpErrorResponse({ status, error: body, headers: new HttpHeaders(headers) });
}

describe('apiError', () => {
  it('reads the contract’s code and message, and Retry-After in seconds', () => {
    const error = answer(
      503,
      { error: { code: 'unavailable', message: 'temporarily unavailable; retry shortly' } },
      { 'Retry-After': '1' },
    );
    expect(apiError(error, now)).toEqual({
      status: 503,
      code: 'unavailable',
      message: 'temporarily unavailable; retry shortly',
      retryAfterSeconds: 1,
    });
  });

  it('reads a Retry-After date against the given time, never below zero', () => {
    const body = { error: { code: 'rate_limited', message: 'too many attempts; retry later' } };
    const later = answer(429, body, { 'Retry-After': 'Tue, 01 Jan 2030 10:00:05 GMT' });
    expect(apiError(later, now).retryAfterSeconds).toBe(5);
    const past = answer(429, body, { 'Retry-After': 'Tue, 01 Jan 2030 09:59:00 GMT' });
    expect(apiError(past, now).retryAfterSeconds).toBe(0);
    const unreadable = answer(429, body, { 'Retry-After': 'soon' });
    expect(apiError(unreadable, now).retryAfterSeconds).toBeUndefined();
  });

  it('names an answer without the contract’s body http_error, and no answer network', () => {
    expect(apiError(answer(502, '<html>bad gateway</html>'), now).code).toBe('http_error');
    expect(apiError(answer(0, null), now).code).toBe('network');
    expect(apiError(new Error('offline'), now)).toEqual({
      status: 0,
      code: 'network',
      message: 'Error: offline',
    });
  });
});
