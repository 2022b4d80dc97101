/**
 * flashsale.io/v1alpha1: the FlashSale type (spec, status, defaults, parsers) and what the
 * CRD declares about it. The operator, the CLI and `npm run generate` import it from here.
 */
export * from './flash-sale-types.ts';
export * from './crd-markers.ts';
