import type { PersistedUnit } from '../persistence/purchases-table.ts';
import type { SaleLedger } from './sale-store.ts';
import { judge } from './sale-verification.ts';

const row = (purchaseId: string, userId: string, quantity = 1): PersistedUnit => ({
  purchaseId,
  userId,
  quantity,
  purchasedAtMs: Date.parse('2026-01-01T00:00:01Z'),
});

function ledgerOf(overrides: Partial<SaleLedger> = {}): SaleLedger {
  return {
    stock: 10,
    remaining: 7,
    owner: 'shop/uid-1',
    incarnation: 'uid-1',
    incarnationStartedAt: new Date('2026-01-01T00:00:00Z'),
    buyers: new Map([
      ['ann', 2],
      ['bob', 1],
    ]),
    outbox: [],
    ...overrides,
  };
}

describe('sale verification: independent records compared', () => {
  const rows = [row('p1', 'ann'), row('p2', 'ann'), row('p3', 'bob')];

  it('passes when the ledger, the rows and the stock agree', () => {
    const verdict = judge(ledgerOf(), rows);
    expect(verdict).toEqual(
      jasmine.objectContaining({
        stock: 10,
        sold: 3,
        remaining: 7,
        persisted: 3,
        outboxPending: 0,
      }),
    );
    expect(verdict.problems).toEqual([]);
    expect(verdict.consistent).toBeTrue();
  });

  it('fails when a row is missing from PostgreSQL', () => {
    const verdict = judge(ledgerOf(), rows.slice(1));
    expect(verdict.consistent).toBeFalse();
    expect(verdict.problems).toEqual([
      'user ann: the Redis ledger says 2 units, PostgreSQL holds 1 and the outbox 0',
    ]);
  });

  it('fails when an outbox entry was dropped before it reached PostgreSQL', () => {
    const verdict = judge(ledgerOf({ outbox: [row('p3', 'bob')] }), rows.slice(0, 1));
    expect(verdict.consistent).toBeFalse();
    expect(verdict.problems).toContain(
      'user ann: the Redis ledger says 2 units, PostgreSQL holds 1 and the outbox 0',
    );
    expect(verdict.problems).toContain('1 purchases are still in the outbox (not drained)');
  });

  it('counts a purchase that is both in the outbox and in PostgreSQL once', () => {
    const verdict = judge(ledgerOf({ outbox: [row('p3', 'bob')] }), rows);
    expect(verdict.problems).toEqual(['1 purchases are still in the outbox (not drained)']);
    expect(verdict.persisted).toBe(3);
  });

  it('fails when the stock counter drifted from the ledger (sold is not stock - remaining)', () => {
    const verdict = judge(ledgerOf({ remaining: 8 }), rows);
    expect(verdict.consistent).toBeFalse();
    expect(verdict.sold).toBe(3);
    expect(verdict.problems).toEqual([
      "the ledger's 3 units sold plus 8 remaining is not the stock 10",
    ]);
  });

  it('fails when PostgreSQL holds a purchase the ledger never recorded', () => {
    const verdict = judge(ledgerOf(), [...rows, row('p4', 'eve')]);
    expect(verdict.problems).toEqual([
      'user eve: the Redis ledger says 0 units, PostgreSQL holds 1 and the outbox 0',
    ]);
  });
});
