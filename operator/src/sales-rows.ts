import type { Sequelize } from 'sequelize';
import type { Logger } from '@flashsale/runtime';
import { recordOwnedSale, upsertSale, type SaleIdentity } from '@flashsale/platform';
import type { SaleDefinition } from '@flashsale/platform';

const fingerprint = (definition: SaleDefinition): string => JSON.stringify(definition);

/**
 * The `sales` table rows, written best effort. Redis is where buyers are served from; a
 * PostgreSQL outage must neither stop a sale being configured there nor make every retry
 * configure it again (each configure tells every API process to drop its caches). A row
 * that could not be written is retried on the sale's next reconciles, and every sale's row
 * is written once more in each leadership term, so a restart cannot leave one missing.
 */
export class SalesRows {
  private readonly written = new Map<string, string>();
  private readonly failed = new Set<string>();

  constructor(
    private readonly database: Sequelize,
    private readonly logger: Logger,
    private readonly onError: () => void,
  ) {}

  /**
   * Writes the row (with its owner and incarnation when given: another owner's row is left
   * alone); a failure is logged and left for `ensure` to retry (without the identity, which
   * stays as the row has it).
   */
  async write(definition: SaleDefinition, identity?: SaleIdentity): Promise<void> {
    try {
      if (!identity) await upsertSale(this.database, definition);
      else if (!(await recordOwnedSale(this.database, definition, identity)))
        this.logger.warn(
          { sale: definition.name, owner: identity.owner },
          'the sales row belongs to another owner; left as it is',
        );
      this.written.set(definition.name, fingerprint(definition));
      this.failed.delete(definition.name);
    } catch (error) {
      this.written.delete(definition.name);
      this.failed.add(definition.name);
      this.onError();
      this.logger.warn(
        { sale: definition.name, err: error instanceof Error ? error.message : String(error) },
        'writing the sales row failed; retrying on the next reconcile',
      );
    }
  }

  /** Writes the row unless this term already wrote this very definition. */
  async ensure(definition: SaleDefinition): Promise<void> {
    if (this.written.get(definition.name) !== fingerprint(definition)) await this.write(definition);
  }

  /** Whether the last write of the sale's row failed. */
  awaitingWrite(name: string): boolean {
    return this.failed.has(name);
  }

  /** A new leadership term: every row is written again once. */
  reset(): void {
    this.written.clear();
    this.failed.clear();
  }
}
