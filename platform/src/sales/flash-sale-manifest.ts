import { z } from 'zod';
import type { SaleDefinition } from './sale-definition.ts';
import { saleNamePattern } from './sale-name.ts';

/**
 * The FlashSale resource as a user writes it (docs/crd.md). This schema is the one
 * source of truth: `flashsale sale apply` validates with it, and the operator generates the
 * CRD's OpenAPI schema from it (operator/src/crd/crd.ts), so every description, bound and
 * default below reaches the API server too. Rules zod checks with `.refine` have their CEL
 * twin in `x-kubernetes-validations` right beside them, with the same message, because zod
 * cannot translate a refinement by itself.
 */
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
  apiVersion: z.literal('flashsale.io/v1alpha1'),
  kind: z.literal('FlashSale'),
  metadata: z.object({
    name: z.string().regex(saleNamePattern, saleNameMessage),
  }),
  spec: flashSaleSpecSchema,
});

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
