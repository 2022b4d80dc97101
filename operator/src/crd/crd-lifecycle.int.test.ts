import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  isolatedNames,
  stackStartTimeoutMs,
  apiErrorOf,
  connectCluster,
  mustKubectl,
  type Cluster,
} from '@flashsale/testkit';
import { applyFlashSaleCrd } from './crd-install.ts';
import {
  flashSaleApiVersion,
  flashSaleGroup,
  flashSaleKind,
  flashSalePlural,
  flashSaleVersion,
  parseFlashSale,
  type FlashSaleStatus,
} from '../../api/v1alpha1/index.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const status: FlashSaleStatus = {
  state: 'Active',
  stock: 100,
  sold: 40,
  remaining: 60,
  persisted: 38,
  observedGeneration: 1,
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'SaleReady',
      message: 'stock configured in Redis',
      lastTransitionTime: '2026-11-01T10:00:00Z',
      observedGeneration: 1,
    },
  ],
};

describe('crd: a FlashSale on the real API server', () => {
  let cluster: Cluster;
  let namespace: string;

  const target = () => ({
    group: flashSaleGroup,
    version: flashSaleVersion,
    plural: flashSalePlural,
    namespace,
  });

  const newSale = (name: string) => ({
    apiVersion: flashSaleApiVersion,
    kind: flashSaleKind,
    metadata: { name },
    spec: {
      product: { sku: 'SNKR-042', title: 'Lifecycle sneaker' },
      stock: 100,
      startsAt: '2027-06-21T10:00:00Z',
      endsAt: '2027-06-21T10:30:00Z',
      capacity: { minReplicas: 2 },
    },
    // Written on create on purpose: with the status subresource the API server drops it.
    status: { state: 'SoldOut' },
  });

  beforeAll(async () => {
    cluster = await connectCluster();
    await applyFlashSaleCrd(cluster.kubeConfig, 'flashsale-tests');
  }, stackStartTimeoutMs);

  beforeEach(async () => {
    namespace = isolatedNames('crd-life').namespace;
    await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterEach(async () => {
    // Without a namespace controller in the stack a deleted namespace keeps its objects, and
    // an operator under test that watches every namespace would pick these sales up.
    await cluster.custom.deleteCollectionNamespacedCustomObject(target()).catch(() => undefined);
    await cluster.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('is established, served under its short name, and idempotent to apply again', async () => {
    await applyFlashSaleCrd(cluster.kubeConfig, 'flashsale-tests');
    const resources = await mustKubectl(cluster, [
      'api-resources',
      `--api-group=${flashSaleGroup}`,
    ]);
    expect(resources).toMatch(/^flashsales\s+fs\s+flashsale\.io\/v1alpha1\s+true\s+FlashSale\s*$/m);
  });

  it('stores defaults, keeps status to the status subresource, and shows it in kubectl get fs', async () => {
    await cluster.custom.createNamespacedCustomObject({
      ...target(),
      body: newSale('summer-drop'),
    });

    const created = parseFlashSale(
      await cluster.custom.getNamespacedCustomObject({ ...target(), name: 'summer-drop' }),
    );
    expect(created.spec.perUserLimit).toBe(1);
    expect(created.spec.product.priceCents).toBe(0);
    expect(created.spec.capacity).toEqual({ minReplicas: 2, warmupSeconds: 300 });
    expect(created.status).toBeUndefined();

    const patched = parseFlashSale(
      await cluster.custom.patchNamespacedCustomObjectStatus(
        { ...target(), name: 'summer-drop', body: { status } },
        mergePatch,
      ),
    );
    expect(patched.status).toEqual(status);
    expect(patched.metadata.generation).toBe(created.metadata.generation);

    const table = await mustKubectl(cluster, ['get', 'fs', '-n', namespace]);
    const [header, row, ...rest] = table
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(header).toEqual([
      'NAME',
      'STATE',
      'STOCK',
      'REMAINING',
      'STARTS',
      'ENDS',
      'OBSERVED',
      'AGE',
    ]);
    expect(row?.slice(0, 7)).toEqual([
      'summer-drop',
      'Active',
      '100',
      '60',
      '2027-06-21T10:00:00Z',
      '2027-06-21T10:30:00Z',
      '1',
    ]);
    expect(row?.[7]).toMatch(/^\d+s$/);
    expect(rest).toEqual([]);
  });

  it('refuses a status that breaks the schema (the operator cannot write nonsense either)', async () => {
    await cluster.custom.createNamespacedCustomObject({ ...target(), body: newSale('bad-status') });
    const rejection = await cluster.custom
      .patchNamespacedCustomObjectStatus(
        { ...target(), name: 'bad-status', body: { status: { state: 'Paused', sold: -1 } } },
        mergePatch,
      )
      .then(
        () => undefined,
        (error: unknown) => apiErrorOf(error),
      );
    expect(rejection?.code).toBe(422);
    expect(rejection?.message).toContain('status.state');
    expect(rejection?.message).toContain('status.sold');
  });

  it('bumps generation on a spec change (a restock), which is what the operator reconciles', async () => {
    await cluster.custom.createNamespacedCustomObject({ ...target(), body: newSale('restock') });
    const restocked = parseFlashSale(
      await cluster.custom.patchNamespacedCustomObject(
        { ...target(), name: 'restock', body: { spec: { stock: 150 } } },
        mergePatch,
      ),
    );
    expect(restocked.metadata.generation).toBe(2);
    expect(restocked.spec.stock).toBe(150);
  });
});
