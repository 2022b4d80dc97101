import type { SaleFacts, SaleState } from './sale.ts';

/** One row of the sale-state rule: the facts, the instant, and the state they give. */
export interface SaleStateExample {
  readonly case: string;
  readonly facts: SaleFacts;
  readonly nowMs: number;
  readonly state: SaleState;
}

const startsAtMs = Date.UTC(2030, 0, 1, 10, 0, 0);
const endsAtMs = Date.UTC(2030, 0, 1, 10, 30, 0);
const minute = 60_000;
const row = (
  description: string,
  remaining: number,
  nowMs: number,
  state: SaleState,
): SaleStateExample => ({
  case: description,
  facts: { startsAtMs, endsAtMs, remaining },
  nowMs,
  state,
});

/**
 * The rule by example. The purchase decision's Lua script cannot import `saleState`, so the
 * same rows are run through `saleState` (contract/src/sale-state.test.ts) and through the
 * script on a real Redis (platform/src/sales/sale-state.int.test.ts): the two cannot drift.
 */
export const saleStateExamples: readonly SaleStateExample[] = [
  row('a minute before the start', 10, startsAtMs - minute, 'upcoming'),
  row('1 ms before the start', 10, startsAtMs - 1, 'upcoming'),
  row('before the start with nothing left', 0, startsAtMs - 1, 'upcoming'),
  row('at the start', 10, startsAtMs, 'active'),
  row('inside the window', 10, startsAtMs + minute, 'active'),
  row('inside the window with the last unit left', 1, startsAtMs + minute, 'active'),
  row('1 ms before the end', 10, endsAtMs - 1, 'active'),
  row('at the start with nothing left', 0, startsAtMs, 'sold_out'),
  row('inside the window with nothing left', 0, startsAtMs + minute, 'sold_out'),
  row('1 ms before the end with nothing left', 0, endsAtMs - 1, 'sold_out'),
  row('at the end', 10, endsAtMs, 'ended'),
  row('at the end with nothing left', 0, endsAtMs, 'ended'),
  row('a minute after the end', 10, endsAtMs + minute, 'ended'),
  {
    // stop-sale.lua closes a sale that is being deleted by setting its window to 0..0.
    case: 'a stopped sale (window 0..0) with units left',
    facts: { startsAtMs: 0, endsAtMs: 0, remaining: 10 },
    nowMs: startsAtMs,
    state: 'ended',
  },
];
