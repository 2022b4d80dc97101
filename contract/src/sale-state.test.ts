import { saleState, saleStateAt, type Sale } from './index.ts';
import { saleStateExamples } from './sale-state-examples.ts';

function saleOf(example: (typeof saleStateExamples)[number]): Sale {
  return {
    name: 'drop',
    title: 'Limited sneaker',
    sku: 'SNKR-1',
    priceCents: 12_900,
    stock: 10,
    remaining: example.facts.remaining,
    perUserLimit: 1,
    startsAt: new Date(example.facts.startsAtMs).toISOString(),
    endsAt: new Date(example.facts.endsAtMs).toISOString(),
    state: 'active',
    serverTime: new Date(example.nowMs).toISOString(),
  };
}

describe('the sale-state rule (contract)', () => {
  for (const example of saleStateExamples) {
    it(`saleState: ${example.case} is ${example.state}`, () => {
      expect(saleState(example.facts, example.nowMs)).toBe(example.state);
    });

    it(`saleStateAt, from the wire shape: ${example.case} is ${example.state}`, () => {
      expect(saleStateAt(saleOf(example), example.nowMs)).toBe(example.state);
    });
  }

  it('covers every state', () => {
    const covered = new Set(saleStateExamples.map((example) => example.state));
    expect([...covered].sort()).toEqual(['active', 'ended', 'sold_out', 'upcoming']);
  });
});
