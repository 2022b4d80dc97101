import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import {
  flashSaleGroup,
  flashSalePlural,
  flashSaleVersion,
  type FlashSaleStatus,
} from '../api/v1alpha1/index.ts';

/** A FlashSale as the API server returns it; the spec is validated before use. */
export interface FlashSaleObject extends KubernetesObject {
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec?: unknown;
  status?: FlashSaleStatus;
}

export interface FlashSaleList {
  readonly items: FlashSaleObject[];
  readonly resourceVersion: string;
}

/** Guarantees Redis keys are removed before Kubernetes forgets the sale. */
export const cleanupFinalizer = 'flashsale.io/cleanup';

/** `namespace/name`: the work-queue key of an object. */
export const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** HTTP status of a failed client-node call (ApiException.code, or a watch's statusCode). */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The FlashSale resources through the Kubernetes API: the operator's only adapter to them. */
export class FlashSaleApi {
  private readonly custom: CustomObjectsApi;

  /** `namespace` undefined means every namespace. */
  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string | undefined,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The path the informer watches. */
  get watchPath(): string {
    const scope = this.namespace === undefined ? '' : `/namespaces/${this.namespace}`;
    return `/apis/${flashSaleGroup}/${flashSaleVersion}${scope}/${flashSalePlural}`;
  }

  async list(): Promise<FlashSaleList> {
    const target = { group: flashSaleGroup, version: flashSaleVersion, plural: flashSalePlural };
    const list = (await (this.namespace === undefined
      ? this.custom.listClusterCustomObject(target)
      : this.custom.listNamespacedCustomObject({ ...target, namespace: this.namespace }))) as {
      items: FlashSaleObject[];
      metadata?: { resourceVersion?: string };
    };
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async get(namespace: string, name: string): Promise<FlashSaleObject> {
    return (await this.custom.getNamespacedCustomObject({
      ...this.target(namespace),
      name,
    })) as FlashSaleObject;
  }

  /**
   * Replaces the finalizer list. The resourceVersion makes it a compare-and-swap, so a
   * finalizer added by someone else meanwhile is never overwritten (409 instead).
   */
  async setFinalizers(sale: FlashSaleObject, finalizers: string[]): Promise<FlashSaleObject> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        ...this.target(sale.metadata.namespace),
        name: sale.metadata.name,
        body: { metadata: { finalizers, resourceVersion: sale.metadata.resourceVersion } },
      },
      mergePatch,
    )) as FlashSaleObject;
  }

  /** Writes the status subresource, failing with 409 if the object changed since it was read. */
  async writeStatus(sale: FlashSaleObject, status: FlashSaleStatus): Promise<FlashSaleObject> {
    return (await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...this.target(sale.metadata.namespace),
        name: sale.metadata.name,
        body: { metadata: { resourceVersion: sale.metadata.resourceVersion }, status },
      },
      mergePatch,
    )) as FlashSaleObject;
  }

  private target(namespace: string) {
    return { group: flashSaleGroup, version: flashSaleVersion, plural: flashSalePlural, namespace };
  }
}
