// The public entry of @flashsale/operator: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export type { Clock, Timer } from './clock.ts';
export { Reason } from './conditions.ts';
export { loadOperatorConfig, operatorConfigSchema } from './config.ts';
export type { OperatorConfig } from './config.ts';
export { applyFlashSaleCrd } from './crd/crd-install.ts';
export { flashSaleGroup, flashSalePlural, flashSaleVersion } from './crd/flash-sale-status.ts';
export type { FlashSaleCondition, FlashSaleStatus } from './crd/flash-sale-status.ts';
export type { FlashSaleObject } from './flash-sale-api.ts';
export { startOperator } from './operator.ts';
export type { RunningOperator } from './operator.ts';
export { reseedAnnotation, reseedFromDatabase } from './reconciler.ts';
