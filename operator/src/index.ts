// The public entry of @flashsale/operator: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export type { Clock, Timer } from './clock.ts';
export { Reason } from './conditions.ts';
export { loadOperatorConfig, operatorConfigSchema } from './config.ts';
export type { OperatorConfig } from './config.ts';
export { applyFlashSaleCrd } from './crd/crd-install.ts';
export { crdYaml, flashSaleCrdPaths } from './crd/crd.ts';
export { chartRbacTemplate, rbacManifests } from './crd/rbac-manifests.ts';
export type { GeneratedFile } from './crd/rbac-manifests.ts';
export type { FlashSaleObject } from './flash-sale-api.ts';
export { startOperator } from './operator.ts';
export type { RunningOperator } from './operator.ts';
export { operatorRbac } from './rbac.ts';
export type { OperatorRbac, PolicyRule } from './rbac.ts';
export { reseedAnnotation, reseedFromDatabase } from './reconciler.ts';
// flashsale.io/v1alpha1: the FlashSale type, its parsers and CRD markers (public as a whole).
export * from '../api/v1alpha1/index.ts';
