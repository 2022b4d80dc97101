import { batchOverheadBytes, eventOfEntry, messageBytes, splitBySize } from './outbox-entry.ts';
import { recordErrorType } from './kafka-link.ts';
import { loadRelayConfig } from './relay-config.ts';

const stored = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    purchaseId: 'p-1',
    sale: 'drop',
    userId: 'alice',
    quantity: 1,
    purchasedAtMs: Date.UTC(2026, 0, 1),
    ...overrides,
  });

describe('outbox relay: entries and batches', () => {
  it('turns an entry written by the purchase script into its purchase event', () => {
    const check = eventOfEntry('drop', ['purchase', stored(), 'traceparent', '']);
    expect(check).toEqual({
      ok: true,
      event: {
        eventId: 'p-1',
        purchaseId: 'p-1',
        sale: 'drop',
        userId: 'alice',
        quantity: 1,
        purchasedAt: '2026-01-01T00:00:00.000Z',
        status: 'confirmed',
      },
    });
  });

  it('says why an entry carries no storable purchase', () => {
    const reason = (sale: string, fields: string[]): string => {
      const check = eventOfEntry(sale, fields);
      return check.ok ? 'ok' : check.reason;
    };
    expect(reason('drop', ['junk', '1'])).toBe('the entry has no purchase field');
    expect(reason('drop', ['purchase', 'not json'])).toMatch(/^unreadable purchase: /);
    expect(reason('drop', ['purchase', stored({ purchasedAtMs: 'soon' })])).toMatch(
      /^unreadable purchase: /,
    );
    expect(reason('drop', ['purchase', stored({ quantity: 2 ** 31 })])).toMatch(/^quantity: /);
    expect(reason('drop', ['purchase', stored({ userId: '' })])).toMatch(/^userId: /);
    expect(reason('other', ['purchase', stored()])).toBe('the purchase belongs to sale drop');
  });

  it('splits messages, in order, into batches that fit the limit, and sets aside what never fits', () => {
    const item = (name: string, bytes: number) => ({ name, bytes });
    const limit = batchOverheadBytes + 1000;
    const { groups, oversized } = splitBySize(
      [item('a', 400), item('b', 400), item('c', 400), item('huge', 1001), item('d', 1000)],
      limit,
    );
    expect(groups.map((group) => group.map((entry) => entry.name))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
    ]);
    expect(oversized.map((entry) => entry.name)).toEqual(['huge']);
    expect(splitBySize([], limit)).toEqual({ groups: [], oversized: [] });
  });

  it('never underestimates what a message takes in a record batch', () => {
    const value = 'x'.repeat(300);
    const bytes = messageBytes({ key: 'drop', value, headers: { traceparent: 't'.repeat(55) } });
    expect(bytes).toBeGreaterThanOrEqual(4 + 300 + 11 + 55);
  });

  it('tells records Kafka refuses from an unavailable Kafka, through the error causes', () => {
    const tooLarge = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    expect(recordErrorType(new Error('wrapped', { cause: tooLarge }))).toBe('MESSAGE_TOO_LARGE');
    const notLeader = Object.assign(new Error('moved'), { type: 'NOT_LEADER_FOR_PARTITION' });
    expect(recordErrorType(notLeader)).toBeUndefined();
    expect(recordErrorType(new Error('Connection refused'))).toBeUndefined();
  });

  it('names the variable of a bad relay setting', () => {
    const base = { REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(loadRelayConfig(base)).toEqual(
      jasmine.objectContaining({ RELAY_MAX_ATTEMPTS: 5, RELAY_SEND_TIMEOUT_MS: 10_000 }),
    );
    expect(loadRelayConfig(base).RELAY_MAX_MESSAGE_BYTES).toBeUndefined();
    expect(() => loadRelayConfig({ ...base, RELAY_MAX_ATTEMPTS: '0' })).toThrowError(
      /RELAY_MAX_ATTEMPTS ="0" is invalid/,
    );
    expect(() => loadRelayConfig({ ...base, RELAY_MAX_MESSAGE_BYTES: '100' })).toThrowError(
      /RELAY_MAX_MESSAGE_BYTES ="100" is invalid/,
    );
  });
});
