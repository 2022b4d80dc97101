import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { purchaseFixture } from '../../testing/fixtures';
import { failedOutcome, outcomeMessage, type PurchaseOutcome } from './purchase-outcome';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): unknown {
  return new HttpErrorResponse({ status, error: body, headers: new HttpHeaders(headers) });
}

const contractError = (status: number, code: string, message = 'why'): unknown =>
  answer(status, { error: { code, message } }, { 'Retry-After': '7' });

/** The browser's time the outcomes are read at (only a Retry-After date would depend on it). */
const now = Date.parse('2030-01-01T10:00:00.000Z');

describe('purchase outcomes', () => {
  it('maps every refusal of the contract to its outcome', () => {
    expect(failedOutcome(contractError(410, 'sold_out'), now)).toEqual({ kind: 'sold_out' });
    expect(failedOutcome(contractError(409, 'not_started'), now)).toEqual({ kind: 'not_started' });
    expect(failedOutcome(contractError(409, 'ended'), now)).toEqual({ kind: 'ended' });
    expect(failedOutcome(contractError(401, 'unauthorized'), now)).toEqual({
      kind: 'unauthorized',
    });
    expect(failedOutcome(contractError(409, 'limit_reached', 'the limit is 2'), now)).toEqual({
      kind: 'limit_reached',
      detail: 'the limit is 2',
    });
    for (const [status, code] of [
      [429, 'rate_limited'],
      [503, 'unavailable'],
      [503, 'outcome_unknown'],
    ] as const) {
      expect(failedOutcome(contractError(status, code), now)).toEqual({
        kind: code,
        retryAfterSeconds: 7,
      });
    }
  });

  it('tells a lost answer, a bare 503 and any other failure apart', () => {
    expect(failedOutcome(answer(0, null), now)).toEqual({ kind: 'no_answer' });
    expect(failedOutcome(answer(503, 'upstream down'), now)).toEqual({
      kind: 'unavailable',
      retryAfterSeconds: 2,
    });
    expect(failedOutcome(contractError(400, 'invalid_request', 'bad body'), now)).toEqual({
      kind: 'failed',
      detail: 'bad body',
    });
    // A code outside the contract is not trusted as one.
    expect(failedOutcome(contractError(410, 'gone_fishing', 'odd'), now)).toEqual({
      kind: 'failed',
      detail: 'odd',
    });
  });

  it('has one sentence per outcome, with its details', () => {
    const cases: [PurchaseOutcome, string][] = [
      [{ kind: 'confirmed', purchase: purchaseFixture(), replayed: false }, 'Order 3F2A-9C1E'],
      [{ kind: 'sold_out' }, 'Sold out'],
      [{ kind: 'limit_reached', detail: 'the limit is 2' }, '(the limit is 2)'],
      [{ kind: 'not_started' }, 'not started yet'],
      [{ kind: 'ended' }, 'has ended'],
      [{ kind: 'unauthorized' }, 'sign in again'],
      [{ kind: 'rate_limited', retryAfterSeconds: 3 }, 'Trying again in 3 s'],
      [{ kind: 'unavailable', retryAfterSeconds: 4 }, 'very busy. Trying again in 4 s'],
      [{ kind: 'outcome_unknown', retryAfterSeconds: 5 }, 'Checking again in 5 s'],
      [{ kind: 'no_answer' }, 'No answer from the shop'],
      [{ kind: 'still_busy' }, 'still busy'],
      [{ kind: 'failed', detail: 'bad body' }, 'The purchase failed: bad body'],
    ];
    for (const [outcome, text] of cases) expect(outcomeMessage(outcome)).toContain(text);
  });
});
