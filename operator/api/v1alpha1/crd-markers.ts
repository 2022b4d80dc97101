import { flashSaleKind, flashSalePlural } from './flash-sale-types.ts';

/**
 * What the CRD says about FlashSale beyond its schema, declared next to the type (what
 * Kubebuilder markers say on a Go type): names, scope, subresources and the columns of
 * `kubectl get fs`. `npm run generate` writes them into the CRD (operator/src/crd/crd.ts).
 */
export const flashSaleNames = {
  kind: flashSaleKind,
  listKind: `${flashSaleKind}List`,
  plural: flashSalePlural,
  singular: 'flashsale',
  shortNames: ['fs'],
  categories: ['flashsale'],
};

export const flashSaleScope = 'Namespaced' as const;

/** Status is written only through its subresource, so a user's spec edit never races it. */
export const flashSaleSubresources: { readonly status: Record<string, never> } = { status: {} };

// Starts and Ends are strings, not `date`: a `date` column prints the age of a time, and
// for a sale that has not started yet that age is negative, which kubectl shows as
// "<invalid>". The timestamp itself is what an operator of a sale wants to read.
export const flashSalePrinterColumns = [
  {
    name: 'State',
    type: 'string',
    jsonPath: '.status.state',
    description: 'Upcoming, Active, SoldOut or Ended.',
  },
  { name: 'Stock', type: 'integer', jsonPath: '.status.stock', description: 'Units configured.' },
  {
    name: 'Remaining',
    type: 'integer',
    jsonPath: '.status.remaining',
    description: 'Units still for sale.',
  },
  {
    name: 'Starts',
    type: 'string',
    format: 'date-time',
    jsonPath: '.spec.startsAt',
    description: 'When the sale opens.',
  },
  {
    name: 'Ends',
    type: 'string',
    format: 'date-time',
    jsonPath: '.spec.endsAt',
    description: 'When the sale closes.',
  },
  {
    name: 'Observed',
    type: 'integer',
    jsonPath: '.status.observedGeneration',
    description:
      'The generation an operator last acted on; empty when no operator watches this FlashSale.',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];
