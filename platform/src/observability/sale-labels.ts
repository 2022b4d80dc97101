/** The `sale` label of a name that is not a configured sale. */
export const unknownSale = 'unknown';

/**
 * Label values for a `sale` label come from configured sales only. Sale names arrive in URLs,
 * so a label taken from the URL as is would let anyone create series without bound; a name
 * this process has not seen configured is labelled `unknown` instead (docs/http-api.md).
 * The set is read from the sales index at start and whenever a change names a sale it does
 * not hold; a purchase decision that found (or missed) the sale updates it in between.
 */
export class SaleLabels {
  private known = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private stale = false;

  label(name: string): string {
    return this.known.has(name) ? name : unknownSale;
  }

  /** A decision found the sale: it is configured. */
  remember(name: string): void {
    this.known.add(name);
  }

  /** A decision did not find the sale. */
  forget(name: string): void {
    this.known.delete(name);
  }

  /**
   * Replaces the set with what `listNames` returns. Calls while a read is in flight share it
   * and cause one more read after it, so a burst of changes costs at most two reads.
   */
  refresh(listNames: () => Promise<readonly string[]>): Promise<void> {
    if (this.refreshing) {
      this.stale = true;
      return this.refreshing;
    }
    this.refreshing = this.readUntilFresh(listNames).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readUntilFresh(listNames: () => Promise<readonly string[]>): Promise<void> {
    do {
      this.stale = false;
      this.known = new Set(await listNames());
    } while (this.stale);
  }
}
