import { z } from 'zod';
import type { SaleDefinition } from './sale-definition.ts';
import { saleNamePattern } from './sale-name.ts';

/**
 * The FlashSale resource as a user writes it (see the design's CRD). The API server checks
 * the same rules through the CRD's schema and CEL; this copy serves `flashsale sale apply`,
 * which configures sales without Kubernetes.
 */
export const flashSaleSpecSchema = z
  .object({
    product: z.object({
      sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'sku: 1-64 of A-Z a-z 0-9 . _ -'),
      title: z.string().min(1).max(200),
      priceCents: z.number().int().min(0).default(0),
    }),
    stock: z.number().int().min(0),
    perUserLimit: z.number().int().min(1).default(1),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    capacity: z
      .object({
        minReplicas: z.number().int().min(1),
        warmupSeconds: z.number().int().min(0).default(300),
      })
      .optional(),
  })
  .refine((spec) => Date.parse(spec.endsAt) > Date.parse(spec.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });

export const flashSaleManifestSchema = z.object({
  apiVersion: z.literal('flashsale.io/v1alpha1'),
  kind: z.literal('FlashSale'),
  metadata: z.object({
    name: z.string().regex(saleNamePattern, 'metadata.name must be a DNS label'),
  }),
  spec: flashSaleSpecSchema,
});

export type FlashSaleManifest = z.infer<typeof flashSaleManifestSchema>;

export function definitionFromManifest(manifest: FlashSaleManifest): SaleDefinition {
  const { spec } = manifest;
  return {
    name: manifest.metadata.name,
    sku: spec.product.sku,
    title: spec.product.title,
    priceCents: spec.product.priceCents,
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
