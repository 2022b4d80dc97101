import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { Sale } from '@flashsale/contract';
import {
  flashSaleGroup,
  flashSalePlural,
  flashSaleVersion,
  parseFlashSale,
  parseFlashSaleManifest,
  type FlashSale,
  type FlashSaleManifest,
} from '@flashsale/operator';
import { backgroundRedis, pollUntil, systemClock, type Clock } from '@flashsale/runtime';
import { SaleStore } from '@flashsale/platform';
import { projectRoot } from '@flashsale/stack';

export const demoSaleName = 'demo-drop';
export const demoNamespace = 'default';
const samplePath = join(projectRoot, 'manifests', 'samples', 'summer-sneaker-drop.yaml');

/**
 * The sample sale, renamed and moved to open a minute from now for half an hour. Its
 * capacity request is dropped: locally there is no API fleet for the operator to scale.
 */
export function demoFlashSale(sample: FlashSaleManifest, now: Date): FlashSaleManifest {
  const startsAt = new Date(Math.ceil((now.getTime() + 60_000) / 1000) * 1000);
  const endsAt = new Date(startsAt.getTime() + 30 * 60_000);
  const spec = { ...sample.spec, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
  delete spec.capacity;
  return { ...sample, metadata: { name: demoSaleName }, spec };
}

const target = {
  group: flashSaleGroup,
  version: flashSaleVersion,
  namespace: demoNamespace,
  plural: flashSalePlural,
};

async function existingDemo(custom: CustomObjectsApi): Promise<FlashSale | undefined> {
  try {
    return parseFlashSale(
      await custom.getNamespacedCustomObject({ ...target, name: demoSaleName }),
    );
  } catch {
    return undefined;
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  clock: Clock,
): Promise<T> {
  const value = await pollUntil(probe, { timeoutMs: 60_000, intervalMs: 250, clock });
  if (value !== undefined) return value;
  throw new Error(`timed out waiting for ${what}; see .flashsale/logs/operator.log`);
}

/**
 * Creates the demo FlashSale through the Kubernetes API, as a user would with kubectl, and
 * waits until the operator has configured it. A demo sale that is still upcoming or running
 * is left alone: restarting the platform must not move the window of a sale people buy in.
 */
export async function ensureDemoSale(
  kubeConfig: KubeConfig,
  redisUrl: string,
  clock: Clock = systemClock,
): Promise<Sale> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const existing = await existingDemo(custom);
  const ended = existing !== undefined && Date.parse(existing.spec.endsAt) <= clock.now().getTime();
  if (ended) {
    await custom.deleteNamespacedCustomObject({ ...target, name: demoSaleName });
    await waitFor(
      'the ended demo sale to be cleaned up',
      async () => ((await existingDemo(custom)) === undefined ? true : undefined),
      clock,
    );
  }
  if (existing === undefined || ended) {
    const sample = parseFlashSaleManifest(parse(await readFile(samplePath, 'utf8')));
    await custom.createNamespacedCustomObject({
      ...target,
      body: demoFlashSale(sample, clock.now()),
    });
  }
  await waitFor(
    'the operator to configure the demo sale',
    async () => {
      const object = parseFlashSale(
        await custom.getNamespacedCustomObject({ ...target, name: demoSaleName }),
      );
      const configured = object.status?.conditions?.some(
        (condition) => condition.type === 'StockConfigured' && condition.status === 'True',
      );
      return configured && object.status?.observedGeneration === object.metadata.generation
        ? true
        : undefined;
    },
    clock,
  );
  const redis = backgroundRedis(redisUrl, '');
  try {
    await redis.connect();
    const sale = await new SaleStore(redis).read(demoSaleName);
    if (!sale) throw new Error('the demo sale is configured but not in Redis');
    return sale;
  } finally {
    redis.disconnect();
  }
}
