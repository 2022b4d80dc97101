/**
 * Remembers, per process, which sales are sold out, so that the crowd arriving after the
 * last unit is answered 410 from memory without a Redis round trip. An entry is dropped
 * when the sale changes (restock, reconfiguration: via the change feed) and, as a safety
 * net for a missed pub/sub message, after `ttlMs`.
 */
export class SoldOutCache {
  private readonly soldOutUntil = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isSoldOut(sale: string): boolean {
    const until = this.soldOutUntil.get(sale);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.soldOutUntil.delete(sale);
    return false;
  }

  markSoldOut(sale: string): void {
    this.soldOutUntil.set(sale, this.now() + this.ttlMs);
  }

  forget(sale: string): void {
    this.soldOutUntil.delete(sale);
  }
}
