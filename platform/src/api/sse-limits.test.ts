import { HttpError } from './http-error.ts';
import { SseLimits, type SseRefusal } from './sse-limits.ts';

function refusal(admit: () => unknown): HttpError | undefined {
  try {
    admit();
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? error : undefined;
  }
}

describe('sse-limits: admission of event streams (unit)', () => {
  it('refuses past the per-address cap with 429 and Retry-After, other addresses still admitted', () => {
    const refused: SseRefusal[] = [];
    const limits = new SseLimits({ maxClients: 10, maxClientsPerAddress: 2 }, (reason) =>
      refused.push(reason),
    );
    limits.admit('10.0.0.1');
    limits.admit('10.0.0.1');
    const third = refusal(() => limits.admit('10.0.0.1'));
    expect([third?.status, third?.code, third?.headers['Retry-After']]).toEqual([
      429,
      'rate_limited',
      '5',
    ]);
    expect(() => limits.admit('10.0.0.2')).not.toThrow();
    expect(refused).toEqual(['address_limit']);
    expect(limits.open).toBe(3);
  });

  it('refuses past the per-process cap with 503 and Retry-After', () => {
    const limits = new SseLimits({ maxClients: 2, maxClientsPerAddress: 5 });
    limits.admit('a');
    limits.admit('b');
    const third = refusal(() => limits.admit('c'));
    expect([third?.status, third?.code, third?.headers['Retry-After']]).toEqual([
      503,
      'unavailable',
      '5',
    ]);
  });

  it('frees the slot on release, once however often it is called', () => {
    const limits = new SseLimits({ maxClients: 1, maxClientsPerAddress: 1 });
    const release = limits.admit('a');
    release();
    release();
    expect(limits.open).toBe(0);
    const again = limits.admit('a');
    expect(refusal(() => limits.admit('b'))?.status).toBe(503);
    again();
    expect(limits.open).toBe(0);
  });
});
