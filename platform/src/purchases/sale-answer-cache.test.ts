import type { PurchaseDecision } from './purchase-decider.ts';
import { systemClock } from '@flashsale/runtime';
import { SaleAnswerCache } from './sale-answer-cache.ts';

const soldOut: PurchaseDecision = { outcome: 'sold_out', remaining: 0 };
const start = new Date('2030-01-01T12:00:00.000Z');

describe('SaleAnswerCache', () => {
  beforeEach(() => {
    jasmine.clock().install();
    jasmine.clock().mockDate(start);
  });
  afterEach(() => jasmine.clock().uninstall());

  const cache = (maxSales = 100): SaleAnswerCache =>
    new SaleAnswerCache({ ttlMs: 2000, maxSales }, systemClock);

  it('answers a sold-out sale from memory until the TTL passes', () => {
    const answers = cache();
    answers.learn('drop', soldOut);
    jasmine.clock().tick(1999);
    expect(answers.answer('drop')).toEqual({ outcome: 'sold_out' });
    jasmine.clock().tick(1);
    expect(answers.answer('drop')).toBeUndefined();
    expect(answers.size).toBe(0);
  });

  it('remembers nothing of answers that concern one buyer or one quantity', () => {
    const answers = cache();
    const perBuyer: PurchaseDecision[] = [
      { outcome: 'sold_out', remaining: 2 },
      { outcome: 'limit_reached', bought: 1, limit: 1 },
      { outcome: 'rate_limited', retryAfterMs: 100 },
    ];
    for (const decision of perBuyer) answers.learn('drop', decision);
    expect(answers.answer('drop')).toBeUndefined();
  });

  it('stops answering "not started" when the sale starts, even within the TTL', () => {
    const answers = cache();
    const startsAt = new Date(start.getTime() + 500);
    answers.learn('drop', { outcome: 'not_started', startsAt });
    jasmine.clock().tick(499);
    expect(answers.answer('drop')).toEqual({ outcome: 'not_started', startsAt });
    jasmine.clock().tick(1);
    expect(answers.answer('drop')).toBeUndefined();
  });

  it('does not remember a "not started" whose start has already come by this clock', () => {
    const answers = cache();
    answers.learn('drop', { outcome: 'not_started', startsAt: new Date(start.getTime() - 1) });
    expect(answers.answer('drop')).toBeUndefined();
  });

  it('answers ended and unknown sales, and forgets a sale that changed', () => {
    const answers = cache();
    answers.learn('old', { outcome: 'ended' });
    answers.learn('nope', { outcome: 'sale_not_found' });
    expect(answers.answer('old')).toEqual({ outcome: 'ended' });
    expect(answers.answer('nope')).toEqual({ outcome: 'sale_not_found' });
    answers.forget('nope');
    expect(answers.answer('nope')).toBeUndefined();
    expect(answers.answer('old')).toEqual({ outcome: 'ended' });
  });

  it('holds at most maxSales entries, dropping the oldest', () => {
    const answers = cache(3);
    for (const name of ['a', 'b', 'c', 'd']) answers.learn(name, { outcome: 'sale_not_found' });
    expect(answers.size).toBe(3);
    expect(answers.answer('a')).toBeUndefined();
    expect(answers.answer('d')).toEqual({ outcome: 'sale_not_found' });
  });

  it('renews an entry learnt again, with a fresh TTL', () => {
    const answers = cache();
    answers.learn('drop', soldOut);
    jasmine.clock().tick(1500);
    answers.learn('drop', soldOut);
    jasmine.clock().tick(1500);
    expect(answers.answer('drop')).toEqual({ outcome: 'sold_out' });
  });
});
