import { eventually } from '@flashsale/testkit';
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
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime: string;
}
interface FlashSaleObject {
  status?: { conditions?: Condition[] };
}
interface PodList {
  items: {
    metadata: { deletionTimestamp?: string };
    status: { conditions?: Condition[] };
  }[];
}

/** Whole seconds since the epoch: the API's timestamps have second precision. */
const seconds = (time: string | number): number =>
  Math.floor((typeof time === 'number' ? time : Date.parse(time)) / 1000);

/** When each Ready API pod became Ready (the kubelet's Ready condition). */
async function podReadyTimes(env: ClusterEnv, component: string): Promise<number[]> {
  const pods = await kubectlJson<PodList>([
    'get',
    'pods',
    '-n',
    env.namespace,
    '-l',
    `app.kubernetes.io/component=${component}`,
  ]);
  return pods.items
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .flatMap((pod) => pod.status.conditions ?? [])
    .filter((c) => c.type === 'Ready' && c.status === 'True')
    .map((c) => Date.parse(c.lastTransitionTime));
}

describe('cluster: capacity pre-warm by the operator in its pod', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  const floor = async (): Promise<number | undefined> =>
    (await kubectlJson<Hpa>(['get', 'hpa', 'flash-sale-api', '-n', env.namespace])).spec
      .minReplicas;

  const capacityCondition = async (sale: string): Promise<Condition | undefined> => {
    const object = await kubectlJson<FlashSaleObject>([
      'get',
      'flashsale',
      sale,
      '-n',
      env.namespace,
    ]);
    return object.status?.conditions?.find((c) => c.type === 'CapacityReady');
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
    await eventually(
      '3 Ready API pods',
      async () => ((await readyPods(env, 'api')).length >= 3 ? true : undefined),
      90_000,
    );
    // CapacityReady turned True only once the pods were Ready, not when the floor was written:
    // its transition is no earlier than the moment the last of the 3 pods became Ready.
    const condition = await eventually(
      'CapacityReady True in the window',
      async () => {
        const found = await capacityCondition(sale);
        return found?.status === 'True' && found.reason === 'CapacityFloorApplied'
          ? found
          : undefined;
      },
      90_000,
    );
    const lastReady = Math.max(...(await podReadyTimes(env, 'api')));
    expect(seconds(condition.lastTransitionTime)).toBeGreaterThanOrEqual(seconds(lastReady));
    // And it says how many pods are Ready, which the written floor alone cannot tell.
    const ready = /and (\d+) Ready/.exec(condition.message ?? '')?.[1];
    expect(Number(ready))
      .withContext(condition.message ?? '')
      .toBeGreaterThanOrEqual(3);
    expect(Date.now()).toBeLessThan(startsAt.getTime());

    await eventually(
      'the floor back at its baseline after endsAt',
      async () => (Date.now() > endsAt.getTime() && (await floor()) === 2 ? true : undefined),
      endsAt.getTime() - Date.now() + 60_000,
    );
  });
});
