import { HttpError } from './http-error.ts';

/** Bounds on Server-Sent-Events streams (docs/http-api.md; SSE_* variables in config.ts). */
export interface SseSettings {
  /** Streams one process serves at once; beyond it 503 with Retry-After. */
  readonly maxClients: number;
  /** Streams one client address holds at once; beyond it 429 with Retry-After. */
  readonly maxClientsPerAddress: number;
  /** Bytes a stream may leave unsent; a client that falls further behind is dropped. */
  readonly maxBufferedBytes: number;
}

export const defaultSseSettings: SseSettings = {
  maxClients: 10_000,
  maxClientsPerAddress: 32,
  maxBufferedBytes: 65_536,
};

/** Seconds a refused client is asked to wait before it tries again. */
export const sseRetryAfterSeconds = 5;

export type SseRefusal = 'process_limit' | 'address_limit';

/**
 * Counts open streams per process and per client address. `admit` either refuses with the
 * contract's error or returns the release, which may be called any number of times.
 */
export class SseLimits {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly settings: Pick<SseSettings, 'maxClients' | 'maxClientsPerAddress'>,
    private readonly onRefused: (reason: SseRefusal) => void = () => undefined,
  ) {}

  get open(): number {
    return this.total;
  }

  admit(address: string): () => void {
    const held = this.byAddress.get(address) ?? 0;
    if (held >= this.settings.maxClientsPerAddress) {
      this.onRefused('address_limit');
      throw new HttpError(
        429,
        'rate_limited',
        `at most ${this.settings.maxClientsPerAddress} event streams per client address; close one or retry later`,
        { 'Retry-After': String(sseRetryAfterSeconds) },
      );
    }
    if (this.total >= this.settings.maxClients) {
      this.onRefused('process_limit');
      throw new HttpError(503, 'unavailable', 'this server has no room for another event stream', {
        'Retry-After': String(sseRetryAfterSeconds),
      });
    }
    this.total += 1;
    this.byAddress.set(address, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(address);
    };
  }

  private release(address: string): void {
    this.total -= 1;
    const left = (this.byAddress.get(address) ?? 1) - 1;
    // An address with no stream leaves no entry: random addresses cannot grow the map.
    if (left <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, left);
  }
}
