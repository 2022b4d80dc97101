interface Held<V> {
  readonly value: V;
  readonly untilMs: number;
}

/**
 * A bounded map whose entries hold until a time (milliseconds since the epoch, by the
 * caller's clock): a read at or past it finds nothing and drops the entry, and a key set in
 * a full map first drops the oldest key. Names come from requests (sale names, tokens), so
 * the bound is what keeps memory flat.
 */
export class ExpiringEntries<V> {
  private readonly entries = new Map<string, Held<V>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, nowMs: number): V | undefined {
    const held = this.entries.get(key);
    if (held === undefined) return undefined;
    if (held.untilMs > nowMs) return held.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, untilMs: number): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, untilMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
