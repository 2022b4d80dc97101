import { z } from 'zod';

/**
 * FlashSale status as the operator writes it (docs/crd.md). Like the spec, this zod
 * schema is the one source of truth: the TypeScript types below are inferred from it and the
 * CRD's status schema is generated from it (crd.ts), so a field added here reaches both.
 */
export const flashSaleStates = ['Upcoming', 'Active', 'SoldOut', 'Ended'] as const;
export const conditionTypes = [
  'Ready',
  'StockConfigured',
  'CapacityReady',
  'Degraded',
  'Deleting',
] as const;
export const conditionStatuses = ['True', 'False', 'Unknown'] as const;

const count = (description: string) => z.number().int().min(0).optional().describe(description);

// Shaped like metav1.Condition so kubectl, kstatus and `kubectl wait --for=condition=Ready`
// understand it; the bounds are the ones Kubernetes puts on metav1.Condition.
export const flashSaleConditionSchema = z
  .object({
    type: z.enum(conditionTypes).describe('Which aspect of the sale this condition reports.'),
    status: z
      .enum(conditionStatuses)
      .describe('Whether the condition holds: True, False or Unknown.'),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe('CamelCase reason for the last transition, for programs to switch on.'),
    message: z.string().max(32768).describe('Human-readable details of the last transition.'),
    lastTransitionTime: z.iso
      .datetime({ offset: true })
      .describe('When status last changed, RFC 3339.'),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .describe('The metadata.generation this condition was computed from.'),
  })
  .describe('One observation of the sale, in the metav1.Condition shape.');

export const flashSaleStatusSchema = z
  .object({
    state: z
      .enum(flashSaleStates)
      .optional()
      .describe('Where the sale is in its life: Upcoming, Active, SoldOut or Ended.'),
    stock: count('Stock configured in Redis (the spec stock the operator last applied).'),
    sold: count('Units sold so far (confirmed purchases).'),
    remaining: count('Units still for sale.'),
    persisted: count('Units whose purchases reached PostgreSQL.'),
    observedGeneration: count('The metadata.generation the operator last reconciled.'),
    conditions: z
      .array(flashSaleConditionSchema)
      .optional()
      .meta({
        description: 'Latest observations of the sale, at most one per type.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
  })
  .describe('What the operator last observed; written only through the status subresource.');

export type FlashSaleState = (typeof flashSaleStates)[number];
export type ConditionType = (typeof conditionTypes)[number];
export type FlashSaleCondition = Readonly<z.infer<typeof flashSaleConditionSchema>>;

type StatusFields = z.infer<typeof flashSaleStatusSchema>;
export type FlashSaleStatus = Readonly<Omit<StatusFields, 'conditions'>> & {
  readonly conditions?: readonly FlashSaleCondition[] | undefined;
};

export const flashSaleGroup = 'flashsale.io';
export const flashSaleVersion = 'v1alpha1';
export const flashSalePlural = 'flashsales';
export const flashSaleKind = 'FlashSale';
export const flashSaleApiVersion = `${flashSaleGroup}/${flashSaleVersion}` as const;
