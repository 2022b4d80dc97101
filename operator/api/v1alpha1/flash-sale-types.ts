import type { V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import { saleNamePattern, type SaleDefinition } from '@flashsale/platform';

/**
 * The FlashSale type, flashsale.io/v1alpha1 (docs/crd.md): spec, status, their defaults and
 * the parsers, in one module. These zod schemas are the one source of truth: the TypeScript
 * types are inferred from them, `flashsale sale apply` validates with them, the operator
 * reads the API server's objects through them, and `npm run generate` turns them into the
 * CRD's OpenAPI schema (operator/src/crd/crd.ts), so every description, bound and default
 * below reaches the API server too. Rules zod checks with `.refine` have their CEL twin in
 * `x-kubernetes-validations` right beside them, with the same message, because zod cannot
 * translate a refinement by itself. Names, printer columns and subresources are declared
 * next to this file, in crd-markers.ts.
 */
export const flashSaleGroup = 'flashsale.io';
export const flashSaleVersion = 'v1alpha1';
export const flashSalePlural = 'flashsales';
export const flashSaleKind = 'FlashSale';
export const flashSaleApiVersion = `${flashSaleGroup}/${flashSaleVersion}` as const;

export const endsAfterStartsMessage = 'endsAt must be after startsAt';
export const saleNameMessage =
  'metadata.name must be a DNS label: at most 63 characters of a-z, 0-9 and -, starting and ending with a letter or digit';
export const skuMessage = 'sku: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit';
export const imageUrlMessage = 'product.imageUrl must be an https URL of at most 2048 characters';
export const productDescriptionMaxLength = 2000;

/**
 * The largest value the `sales` table stores (PostgreSQL `integer`, int32). Larger counts are
 * refused when the FlashSale is applied, by zod and by the CRD's `maximum`, instead of failing
 * every reconcile after the API server has stored them.
 */
export const int32Max = 2_147_483_647;
const int32Message = `must be at most ${int32Max} (a PostgreSQL integer)`;

// A time without an offset would mean a different instant on every machine that reads it.
const instant = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .describe(`${description} RFC 3339 with an offset, e.g. 2026-12-01T10:00:00Z.`);

const productSchema = z
  .object({
    sku: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, skuMessage)
      .describe('Stock keeping unit of the product on sale.'),
    title: z.string().min(1).max(200).describe('Product name shown to buyers.'),
    priceCents: z
      .number()
      .int()
      .min(0)
      .max(int32Max, int32Message)
      .default(0)
      .describe('Price in cents of the currency the storefront shows; 0 when omitted.'),
    // Shown by the storefront; https only, so a shop page never loads mixed content.
    imageUrl: z
      .url({ protocol: /^https$/, error: imageUrlMessage })
      .max(2048, imageUrlMessage)
      .regex(/^https:\/\/\S+$/, imageUrlMessage)
      .optional()
      .describe('Optional: an https URL of a picture of the product, shown to buyers.'),
    description: z
      .string()
      .max(productDescriptionMaxLength)
      .optional()
      .describe('Optional: a plain-text description of the product, shown to buyers.'),
  })
  .describe('The one product this sale sells.');

const capacitySchema = z
  .object({
    minReplicas: z
      .number()
      .int()
      .min(1)
      .max(int32Max, int32Message)
      .describe('Floor for the API fleet replicas from startsAt - warmupSeconds until endsAt.'),
    warmupSeconds: z
      .number()
      .int()
      .min(0)
      .max(int32Max, int32Message)
      .default(300)
      .describe(
        'How long before startsAt the floor applies, so pods are warm when the crowd arrives.',
      ),
  })
  .describe('Optional: API fleet capacity to hold for this sale.');

export const flashSaleSpecSchema = z
  .object({
    product: productSchema,
    stock: z
      .number()
      .int()
      .min(0)
      .max(int32Max, int32Message)
      .describe(
        'Total units for sale; may be raised during the sale (restock), never below what is sold.',
      ),
    perUserLimit: z
      .number()
      .int()
      .min(1)
      .max(int32Max, int32Message)
      .default(1)
      .describe('Most units one user may buy in this sale.'),
    startsAt: instant('When the sale opens.'),
    endsAt: instant('When the sale closes; after startsAt.'),
    capacity: capacitySchema.optional(),
  })
  .refine((spec) => Date.parse(spec.endsAt) > Date.parse(spec.startsAt), {
    message: endsAfterStartsMessage,
    path: ['endsAt'],
  })
  .meta({
    description: 'The sale as its owner wants it.',
    'x-kubernetes-validations': [
      {
        rule: 'timestamp(self.endsAt) > timestamp(self.startsAt)',
        message: endsAfterStartsMessage,
        fieldPath: '.endsAt',
        reason: 'FieldValueInvalid',
      },
    ],
  });

export const flashSaleManifestSchema = z.object({
  apiVersion: z.literal(flashSaleApiVersion),
  kind: z.literal(flashSaleKind),
  metadata: z.object({
    name: z.string().regex(saleNamePattern, saleNameMessage),
  }),
  spec: flashSaleSpecSchema,
});

// ---- status: what the operator writes (through the status subresource only) ----

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

/** The spec after defaults, as the API server stores it and `flashsale sale apply` uses it. */
export type FlashSaleSpec = z.infer<typeof flashSaleSpecSchema>;
export type FlashSaleManifest = z.infer<typeof flashSaleManifestSchema>;

export function definitionFromManifest(manifest: FlashSaleManifest): SaleDefinition {
  const { spec } = manifest;
  return {
    name: manifest.metadata.name,
    sku: spec.product.sku,
    title: spec.product.title,
    priceCents: spec.product.priceCents,
    ...(spec.product.imageUrl === undefined ? {} : { imageUrl: spec.product.imageUrl }),
    ...(spec.product.description === undefined ? {} : { description: spec.product.description }),
    stock: spec.stock,
    perUserLimit: spec.perUserLimit,
    startsAt: new Date(spec.startsAt),
    endsAt: new Date(spec.endsAt),
  };
}

/** Validates a parsed manifest; the error lists every problem with its field path. */
export function parseFlashSaleManifest(document: unknown): FlashSaleManifest {
  const result = flashSaleManifestSchema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`,
  );
  throw new Error(`invalid FlashSale:\n  ${problems.join('\n  ')}`);
}

// ---- parsing what the API server returns ----

/** A FlashSale as the API server returns it: defaults applied, metadata complete. */
export interface FlashSale {
  readonly apiVersion: typeof flashSaleApiVersion;
  readonly kind: typeof flashSaleKind;
  readonly metadata: V1ObjectMeta & { readonly name: string; readonly namespace: string };
  readonly spec: FlashSaleSpec;
  readonly status?: FlashSaleStatus;
}

interface RawObject {
  readonly metadata?: V1ObjectMeta;
  readonly spec?: unknown;
  readonly status?: unknown;
}

type Checked<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly problems: string[] };

function check<T>(what: string, schema: z.ZodType<T, unknown>, value: unknown): Checked<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const problems = result.error.issues.map(
    (issue) => `${[what, ...issue.path.map(String)].join('.')}: ${issue.message}`,
  );
  return { ok: false, problems };
}

/**
 * Types an object read from the API server (CustomObjectsApi returns `object`). The API
 * server has already enforced the same schema, so a failure here means the CRD in the
 * cluster is older or newer than this code; the error names every field that disagrees.
 */
export function parseFlashSale(object: unknown): FlashSale {
  const raw = (object ?? {}) as RawObject;
  const { name, namespace } = raw.metadata ?? {};
  if (!name || !namespace) throw new Error('FlashSale without metadata.name and namespace');
  const spec = check('spec', flashSaleSpecSchema, raw.spec);
  const status = check('status', flashSaleStatusSchema, raw.status ?? {});
  if (!spec.ok || !status.ok) {
    const problems = [spec, status].flatMap((part) => (part.ok ? [] : part.problems));
    throw new Error(
      `FlashSale ${namespace}/${name} does not match the schema: ${problems.join('; ')}`,
    );
  }
  return {
    apiVersion: flashSaleApiVersion,
    kind: flashSaleKind,
    metadata: { ...raw.metadata, name, namespace },
    spec: spec.data,
    ...(raw.status === undefined ? {} : { status: status.data }),
  };
}
