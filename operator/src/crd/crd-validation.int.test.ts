import {
  endsAfterStartsMessage,
  flashSaleManifestSchema,
  int32Max,
  saleNameMessage,
} from '../../api/v1alpha1/index.ts';
import {
  isolatedNames,
  stackStartTimeoutMs,
  apiErrorOf,
  connectCluster,
  manifestsIn,
  type Cluster,
} from '@flashsale/testkit';
import { applyFlashSaleCrd } from './crd-install.ts';
import { flashSaleGroup, flashSalePlural, flashSaleVersion } from '../../api/v1alpha1/index.ts';

interface Manifest {
  metadata: { name: string };
  spec: Record<string, unknown> & { product: Record<string, unknown> };
}

function validSale(): Manifest {
  return {
    apiVersion: 'flashsale.io/v1alpha1',
    kind: 'FlashSale',
    metadata: { name: 'rules-probe' },
    spec: {
      product: { sku: 'PROBE-1', title: 'Probe' },
      stock: 10,
      startsAt: '2027-03-01T10:00:00Z',
      endsAt: '2027-03-01T10:30:00Z',
    },
  } as Manifest;
}

interface InvalidCase {
  readonly what: string;
  readonly change: (sale: Manifest) => void;
  /** The field zod names (joined path). */
  readonly zodPath: string;
  /** What the API server's 422 message must contain (field path and the CEL/OpenAPI text). */
  readonly server: readonly string[];
}

const invalidCases: readonly InvalidCase[] = [
  {
    what: 'endsAt before startsAt',
    change: (sale) => (sale.spec.endsAt = '2027-03-01T09:00:00Z'),
    zodPath: 'spec.endsAt',
    server: ['spec.endsAt', endsAfterStartsMessage],
  },
  {
    what: 'endsAt equal to startsAt, written with another offset',
    change: (sale) => (sale.spec.endsAt = '2027-03-01T11:00:00+01:00'),
    zodPath: 'spec.endsAt',
    server: ['spec.endsAt', endsAfterStartsMessage],
  },
  {
    what: 'negative stock',
    change: (sale) => (sale.spec.stock = -1),
    zodPath: 'spec.stock',
    server: ['spec.stock', 'greater than or equal to 0'],
  },
  {
    what: 'perUserLimit 0',
    change: (sale) => (sale.spec.perUserLimit = 0),
    zodPath: 'spec.perUserLimit',
    server: ['spec.perUserLimit', 'greater than or equal to 1'],
  },
  {
    what: 'a fractional stock',
    change: (sale) => (sale.spec.stock = 2.5),
    zodPath: 'spec.stock',
    server: ['spec.stock', 'must be of type integer'],
  },
  // What PostgreSQL's integer cannot store must not reach reconcile, where it would fail for ever.
  {
    what: 'a stock one past int32 (2147483648)',
    change: (sale) => (sale.spec.stock = int32Max + 1),
    zodPath: 'spec.stock',
    server: ['spec.stock', `less than or equal to ${int32Max}`],
  },
  {
    what: 'a stock of 1e15',
    change: (sale) => (sale.spec.stock = 1e15),
    zodPath: 'spec.stock',
    server: ['spec.stock', `less than or equal to ${int32Max}`],
  },
  {
    what: 'a priceCents one past int32',
    change: (sale) => (sale.spec.product.priceCents = int32Max + 1),
    zodPath: 'spec.product.priceCents',
    server: ['spec.product.priceCents', `less than or equal to ${int32Max}`],
  },
  {
    what: 'a perUserLimit one past int32',
    change: (sale) => (sale.spec.perUserLimit = int32Max + 1),
    zodPath: 'spec.perUserLimit',
    server: ['spec.perUserLimit', `less than or equal to ${int32Max}`],
  },
  {
    what: 'a capacity.minReplicas one past int32',
    change: (sale) => (sale.spec.capacity = { minReplicas: int32Max + 1 }),
    zodPath: 'spec.capacity.minReplicas',
    server: ['spec.capacity.minReplicas', `less than or equal to ${int32Max}`],
  },
  {
    what: 'missing product.sku',
    change: (sale) => delete sale.spec.product.sku,
    zodPath: 'spec.product.sku',
    server: ['spec.product.sku', 'Required value'],
  },
  {
    what: 'a sku with a space',
    change: (sale) => (sale.spec.product.sku = 'BAD SKU'),
    zodPath: 'spec.product.sku',
    server: ['spec.product.sku', 'should match'],
  },
  {
    what: 'a sku over 64 characters',
    change: (sale) => (sale.spec.product.sku = `S${'x'.repeat(64)}`),
    zodPath: 'spec.product.sku',
    server: ['spec.product.sku', 'should match'],
  },
  {
    what: 'a product.imageUrl over http',
    change: (sale) => (sale.spec.product.imageUrl = 'http://images.example.com/a.png'),
    zodPath: 'spec.product.imageUrl',
    server: ['spec.product.imageUrl', 'should match'],
  },
  {
    what: 'a product.imageUrl over 2048 characters',
    change: (sale) =>
      (sale.spec.product.imageUrl = `https://images.example.com/${'a'.repeat(2030)}`),
    zodPath: 'spec.product.imageUrl',
    server: ['spec.product.imageUrl', 'may not be more than 2048'],
  },
  {
    what: 'a product.description over 2000 characters',
    change: (sale) => (sale.spec.product.description = 'd'.repeat(2001)),
    zodPath: 'spec.product.description',
    server: ['spec.product.description', 'may not be more than 2000'],
  },
  {
    what: 'a start time without an offset',
    change: (sale) => (sale.spec.startsAt = '2027-03-01T10:00:00'),
    zodPath: 'spec.startsAt',
    server: ['spec.startsAt', 'must be of type date-time'],
  },
  {
    what: 'capacity.minReplicas 0',
    change: (sale) => (sale.spec.capacity = { minReplicas: 0 }),
    zodPath: 'spec.capacity.minReplicas',
    server: ['spec.capacity.minReplicas', 'greater than or equal to 1'],
  },
  {
    what: 'a name that is a DNS subdomain but not a DNS label',
    change: (sale) => (sale.metadata.name = 'summer.drop'),
    zodPath: 'metadata.name',
    server: [saleNameMessage],
  },
  {
    what: 'a name over 63 characters',
    change: (sale) => (sale.metadata.name = 'a'.repeat(64)),
    zodPath: 'metadata.name',
    server: [saleNameMessage],
  },
];

describe('crd: zod and the API server agree on what a FlashSale is', () => {
  const names = isolatedNames('crd-rules');
  let cluster: Cluster;

  const createDryRun = (body: unknown) =>
    cluster.custom.createNamespacedCustomObject({
      group: flashSaleGroup,
      version: flashSaleVersion,
      plural: flashSalePlural,
      namespace: names.namespace,
      body: body as object,
      dryRun: 'All',
    });

  beforeAll(async () => {
    cluster = await connectCluster();
    await applyFlashSaleCrd(cluster.kubeConfig, 'flashsale-tests');
    await cluster.core.createNamespace({ body: { metadata: { name: names.namespace } } });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await cluster?.core.deleteNamespace({ name: names.namespace }).catch(() => undefined);
  });

  it('accepts every sample, and stores exactly what zod parses (defaults included)', async () => {
    const samples = await manifestsIn('samples');
    expect(samples.size).toBeGreaterThanOrEqual(5);
    for (const [file, sample] of samples) {
      const parsed = flashSaleManifestSchema.safeParse(sample);
      expect(parsed.error?.issues).withContext(file).toBeUndefined();
      const stored = (await createDryRun(sample)) as { spec: unknown };
      expect(stored.spec).withContext(file).toEqual(parsed.data?.spec);
    }
  });

  it('accepts a minimal sale and fills in the same defaults zod does', async () => {
    const sale = validSale();
    const stored = (await createDryRun(sale)) as { spec: unknown };
    expect(stored.spec).toEqual(flashSaleManifestSchema.parse(sale).spec);
    expect(stored.spec).toEqual(
      jasmine.objectContaining({
        perUserLimit: 1,
        product: { sku: 'PROBE-1', title: 'Probe', priceCents: 0 },
      }),
    );
  });

  it('accepts stock, priceCents and perUserLimit of exactly 2147483647 in zod and the API server', async () => {
    const sale = validSale();
    sale.spec.stock = int32Max;
    sale.spec.perUserLimit = int32Max;
    sale.spec.product.priceCents = int32Max;
    const parsed = flashSaleManifestSchema.parse(sale);
    const stored = (await createDryRun(sale)) as { spec: unknown };
    expect(stored.spec).toEqual(parsed.spec);
  });

  for (const invalid of invalidCases) {
    it(`rejects ${invalid.what} in zod and in the API server`, async () => {
      const sale = validSale();
      invalid.change(sale);

      const parsed = flashSaleManifestSchema.safeParse(sale);
      const zodPaths = parsed.error?.issues.map((issue) => issue.path.join('.')) ?? [];
      expect(zodPaths).toContain(invalid.zodPath);

      const rejection = await createDryRun(sale).then(
        () => undefined,
        (error: unknown) => apiErrorOf(error),
      );
      expect(rejection?.code).toBe(422);
      for (const text of invalid.server) expect(rejection?.message).toContain(text);
    });
  }
});
