// The public entry of @flashsale/platform: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export { startApiServer } from './api/api-server.ts';
export type { ApiServer } from './api/api-server.ts';
export { TokenVerifier, requireUser } from './api/auth.ts';
export type { UserState } from './api/auth.ts';
export { apiConfigSchema, loadApiConfig } from './api/config.ts';
export { HttpError } from './api/http-error.ts';
export { errorBody } from './api/middleware/error-body.ts';
export { jsonBody } from './api/middleware/json-body.ts';
export { KafkaLink } from './outbox/kafka-link.ts';
export { OutboxRelay, relayDeadLetterKey } from './outbox/outbox-relay.ts';
export { loadRelayConfig } from './outbox/relay-config.ts';
export { startRelayProcess } from './outbox/relay-process.ts';
export { loadDatabaseConfig, loadPersisterConfig } from './persistence/config.ts';
export type { DatabaseConfig } from './persistence/config.ts';
export { deadLetters } from './persistence/dead-letters-table.ts';
export { migrate, migrationsTable } from './persistence/migrator.ts';
export { PurchasePersister } from './persistence/persister.ts';
export {
  insertPurchases,
  persistedPurchases,
  persistedUnits,
} from './persistence/purchases-table.ts';
export {
  findSale,
  findSaleIdentity,
  recordOwnedSale,
  upsertSale,
} from './persistence/sales-table.ts';
export type { SaleIdentity } from './persistence/sales-table.ts';
export { PurchaseDecider, purchaseDecisionLua } from './purchases/purchase-decider.ts';
export { purchaseEventSchema } from './purchases/purchase.ts';
export type { PurchaseEvent } from './purchases/purchase.ts';
export type { SaleDefinition } from './sales/sale-definition.ts';
export { changesChannelFor, saleKeys, salesIndexKey } from './sales/sale-keys.ts';
export { applyOwnedSale, deleteSaleStep } from './sales/sale-lifecycle.ts';
export type { ApplyOutcome, SaleRecords } from './sales/sale-lifecycle.ts';
export { saleNamePattern } from './sales/sale-name.ts';
export { SaleStore } from './sales/sale-store.ts';
export type { ConfigureStatus, SaleClaim } from './sales/sale-store.ts';
export { verifySale, verifyWhenDrained } from './sales/sale-verification.ts';
export type { SaleVerification } from './sales/sale-verification.ts';
export { toSale } from './sales/sale.ts';
