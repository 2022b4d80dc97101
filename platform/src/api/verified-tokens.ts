import { systemClock, type Clock } from '@flashsale/runtime';
import { ExpiringEntries } from '../purchases/expiring-entries.ts';

/**
 * Tokens already verified, so a buyer who presents the same token again costs a map lookup,
 * not an HMAC. Keyed by the whole token string (an exact match: no prefix, no hash that two
 * tokens could share), bounded (the oldest entry goes first), and an entry is used only
 * while its token's `exp` has not passed by `clock`. Only successful verifications are
 * kept: a refused token is checked again each time.
 */
export class VerifiedTokens {
  private readonly entries: ExpiringEntries<string>;

  constructor(
    maxEntries: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.entries = new ExpiringEntries(maxEntries);
  }

  userOf(token: string): string | undefined {
    return this.entries.get(token, this.clock.now().getTime());
  }

  remember(token: string, userId: string, expiresAtMs: number): void {
    if (expiresAtMs > this.clock.now().getTime()) this.entries.set(token, userId, expiresAtMs);
  }

  get size(): number {
    return this.entries.size;
  }
}
