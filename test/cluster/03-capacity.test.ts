import { eventually } from '../harness/isolation.ts';
import {
  applyObject,
  clusterStartTimeoutMs,
  flashSale,
  kubectlJson,
  readyPods,
  uniqueName,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';

interface Hpa {
  spec: { minReplicas?: number };
}
interface FlashSaleObject {
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

describe('cluster: capacity pre-warm by the operator in its pod', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  const floor = async (): Promise<number | undefined> =>
    (await kubectlJson<Hpa>(['get', 'hpa', 'flash-sale-api', '-n', env.namespace])).spec
      .minReplicas;

  const capacityReady = async (sale: string): Promise<string | undefined> => {
    const object = await kubectlJson<FlashSaleObject>([
      'get',
      'flashsale',
      sale,
      '-n',
      env.namespace,
    ]);
    return object.status?.conditions?.find((c) => c.type === 'CapacityReady')?.status;
  };

  it('raises the HPA floor to 3 with 3 Ready API pods before startsAt, then restores it', async () => {
    const baseline = await floor();
    expect(baseline).toBe(2);
    const sale = uniqueName('cluster-warm');
    const startsAt = new Date(Date.now() + 100_000);
    const endsAt = new Date(startsAt.getTime() + 20_000);
    await applyObject(
      flashSale(sale, {
        stock: 10,
        startsAt,
        endsAt,
        capacity: { minReplicas: 3, warmupSeconds: 80 },
      }),
    );

    // Before the warm-up window opens the floor is untouched.
    expect(await floor()).toBe(2);
    await eventually(
      'the HPA floor raised to 3',
      async () => ((await floor()) === 3 ? true : undefined),
      60_000,
    );
    // CapacityReady turns True only once the pods are Ready, not when the floor is written.
    const readyWhenTrue = await eventually(
      'CapacityReady True',
      async () =>
        (await capacityReady(sale)) === 'True' ? (await readyPods(env, 'api')).length : undefined,
      90_000,
    );
    expect(readyWhenTrue).toBeGreaterThanOrEqual(3);
    await eventually(
      '3 Ready API pods',
      async () => ((await readyPods(env, 'api')).length >= 3 ? true : undefined),
      90_000,
    );
    expect(Date.now()).toBeLessThan(startsAt.getTime());

    await eventually(
      'the floor back at its baseline after endsAt',
      async () => (Date.now() > endsAt.getTime() && (await floor()) === 2 ? true : undefined),
      endsAt.getTime() - Date.now() + 60_000,
    );
  });
});
