import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { z } from 'zod';
import { flashSaleSpecSchema, type FlashSaleSpec } from '@flashsale/platform';
import {
  flashSaleApiVersion,
  flashSaleKind,
  flashSaleStatusSchema,
  type FlashSaleStatus,
} from './flash-sale-status.ts';

export type { FlashSaleSpec } from '@flashsale/platform';

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
