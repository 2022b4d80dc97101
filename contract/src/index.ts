// The HTTP API's contract, imported by the API (platform) and the storefront (web): keep it
// free of Node-only and browser-only imports, and of dependencies.
export type { DevLoginRequestBody, DevLoginResponse } from './auth.ts';
export { errorCodes, isErrorCode, type ErrorBody, type ErrorCode } from './errors.ts';
export { saleEventName, type SaleEventData } from './events.ts';
export type { Purchase, PurchaseRequestBody } from './purchase.ts';
export {
  saleState,
  saleStateAt,
  saleStates,
  type Sale,
  type SaleFacts,
  type SaleState,
} from './sale.ts';
export { saleStateExamples, type SaleStateExample } from './sale-state-examples.ts';
