import { isDataError } from '../persistence/persister.ts';
import { checkStorableEventJson, int32Max } from './storable-event.ts';

const event = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    eventId: 'p-1',
    purchaseId: 'p-1',
    sale: 'drop',
    userId: 'alice',
    quantity: 2,
    purchasedAt: '2026-01-01T00:00:00.000Z',
    status: 'confirmed',
    ...overrides,
  });

const reason = (text: string): string => {
  const check = checkStorableEventJson(text);
  return check.ok ? 'ok' : check.reason;
};

describe('purchases: storable events', () => {
  it('accepts a purchase event within the columns’ ranges', () => {
    expect(reason(event())).toBe('ok');
    expect(reason(event({ quantity: int32Max }))).toBe('ok');
  });

  it('refuses what the purchases table could never hold, saying which field', () => {
    expect(reason('{"eventId":')).toMatch(/^not JSON: /);
    expect(reason(event({ quantity: int32Max + 1 }))).toMatch(/^quantity: /);
    expect(reason(event({ quantity: 0 }))).toMatch(/^quantity: /);
    expect(reason(event({ couponCode: 'FREE' }))).toMatch(/couponCode/);
    expect(reason(event({ userId: 'a\u0000b' }))).toContain('NUL');
    expect(reason(event({ eventId: 'p-2' }))).toContain('eventId must equal purchaseId');
    expect(reason('[]')).toMatch(/^\(event\): /);
  });

  it('counts only data errors from PostgreSQL as the message’s fault, never an outage', () => {
    const sqlState = (code: string) => Object.assign(new Error('db'), { parent: { code } });
    expect(isDataError(sqlState('22003'))).toBeTrue(); // integer out of range
    expect(isDataError(sqlState('22008'))).toBeTrue(); // datetime field overflow
    expect(isDataError(sqlState('23514'))).toBeTrue(); // check violation
    expect(isDataError(sqlState('42P01'))).toBeFalse(); // table missing
    expect(isDataError(sqlState('57P01'))).toBeFalse(); // admin shutdown
    expect(isDataError(sqlState('08006'))).toBeFalse(); // connection failure
    expect(isDataError(new Error('connect ECONNREFUSED'))).toBeFalse();
  });
});
