import { systemClock, type Clock } from '@flashsale/runtime';

interface Verified {
  readonly userId: string;
  readonly expiresAtMs: number;
}

/**
 * Tokens already verified, so a buyer who presents the same token again costs a map lookup,
 * not an HMAC. Keyed by the whole token string (an exact match: no prefix, no hash that two
 * tokens could share), bounded (the oldest entry goes first), and an entry is used only
 * while its token's `exp` has not passed by `clock`. Only successful verifications are
 * kept: a refused token is checked again each time.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Verified>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock = systemClock,
  ) {}

  userOf(token: string): string | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.clock.now().getTime()) return entry.userId;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, userId: string, expiresAtMs: number): void {
    if (this.maxEntries === 0 || !(expiresAtMs > this.clock.now().getTime())) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { userId, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
