import {
  AppsV1Api,
  AutoscalingV2Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  eventually,
  stackStartTimeoutMs,
  condition,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import { Reason } from './conditions.ts';
import { baselineAnnotation } from './fleet-scaler.ts';

describe('operator: API fleet capacity', () => {
  const fixture = new OperatorFixture('op-capacity');
  let apps: AppsV1Api;
  let autoscaling: AutoscalingV2Api;

  beforeAll(async () => {
    await fixture.setUp();
    apps = fixture.kubeConfig.makeApiClient(AppsV1Api);
    autoscaling = fixture.kubeConfig.makeApiClient(AutoscalingV2Api);
    const labels = { app: 'flashsale-api' };
    await apps.createNamespacedDeployment({
      namespace: fixture.namespace,
      body: {
        metadata: { name: 'api' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'api', image: 'flashsale/api:test' }] },
          },
        },
      },
    });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: fixture.namespace,
      body: {
        metadata: { name: 'api' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
          minReplicas: 2,
          maxReplicas: 20,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
            },
          ],
        },
      },
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 60_000);

  const hpa = () =>
    autoscaling.readNamespacedHorizontalPodAutoscaler({
      namespace: fixture.namespace,
      name: 'api',
    });

  const waitForMin = (expected: number) =>
    eventually(`HPA minReplicas ${expected}`, async () => {
      const current = await hpa();
      if (current.spec?.minReplicas === expected) return current;
      throw new Error(`HPA minReplicas is ${current.spec?.minReplicas}`);
    });

  const waitForReplicas = (expected: number) =>
    eventually(`the Deployment at ${expected} replicas`, async () => {
      const deployment = await apps.readNamespacedDeployment({
        namespace: fixture.namespace,
        name: 'api',
      });
      const replicas = deployment.spec?.replicas;
      if (replicas === expected) return replicas;
      throw new Error(`the Deployment has ${replicas} replicas`);
    });

  // Lower bounds only: a busy machine makes the operator late, never early.
  async function expectRaised(startsAt: Date): Promise<void> {
    const raised = await waitForMin(6);
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt.getTime() - 3000);
    expect(raised.metadata?.annotations?.[baselineAnnotation]).toBe('2');
    expect(raised.spec?.maxReplicas).toBe(20);
    const owners = (raised.metadata?.managedFields ?? []).map((field) => field.manager);
    expect(owners).toContain('flashsale-operator');
  }

  async function expectRestored(endsAt: Date): Promise<void> {
    const restored = await waitForMin(2);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
    expect(restored.metadata?.annotations?.[baselineAnnotation]).toBeUndefined();
    // Helm's other fields are untouched by our applies.
    expect(restored.spec?.maxReplicas).toBe(20);
    expect(restored.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(60);
  }

  it('raises the HPA floor from warm-up to the end of the sale, then restores the baseline', async () => {
    const operator = await fixture.startOperator('capacity', { FLEET_HPA: 'api' });
    // The warm-up window opens 9 s from now: enough for both sales to be configured first
    // even on a loaded machine, so the "before" state is observed before the window.
    const startsAt = secondsFromNow(12);
    const endsAt = secondsFromNow(25);
    await fixture.createSale('cap-small', {
      stock: 5,
      startsAt,
      endsAt,
      capacity: { minReplicas: 4, warmupSeconds: 3 },
    });
    await fixture.createSale('cap-big', {
      stock: 5,
      startsAt,
      endsAt,
      capacity: { minReplicas: 6, warmupSeconds: 3 },
    });
    const before = await fixture.waitForStatus(
      'cap-big',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
    expect(condition(before, 'CapacityReady')?.reason).toBe(Reason.OutsideCapacityWindow);
    expect((await hpa()).spec?.minReplicas).toBe(2);

    await expectRaised(startsAt);
    // The floor is written, but no pod is Ready yet (no kubelet here): not ready. (Until the
    // sale's next reconcile its status may still say the floor is being raised.)
    const pending = await fixture.waitForStatus(
      'cap-small',
      'CapacityPending with the floor written',
      (s) =>
        condition(s, 'CapacityReady')?.reason === Reason.CapacityPending &&
        !condition(s, 'CapacityReady')?.message?.includes('raising it to'),
    );
    expect(condition(pending, 'CapacityReady')?.status).toBe('False');
    expect(condition(pending, 'CapacityReady')?.message).toContain('0 of 4 pods Ready');
    // What the Deployment controller reports once the pods pass readiness.
    await apps.patchNamespacedDeploymentStatus(
      {
        namespace: fixture.namespace,
        name: 'api',
        body: { status: { replicas: 6, readyReplicas: 6, availableReplicas: 6 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const ready = await fixture.waitForStatus(
      'cap-small',
      'CapacityReady',
      (s) => condition(s, 'CapacityReady')?.reason === Reason.CapacityFloorApplied,
    );
    expect(condition(ready, 'CapacityReady')?.status).toBe('True');

    await expectRestored(endsAt);
    await fixture.stopOperator(operator, true);
  });

  it('scales the Deployment itself when no HPA is configured', async () => {
    const operator = await fixture.startOperator('capacity-deploy', { FLEET_DEPLOYMENT: 'api' });
    await fixture.createSale('cap-deploy', {
      stock: 5,
      startsAt: secondsFromNow(1),
      endsAt: secondsFromNow(4),
      capacity: { minReplicas: 5, warmupSeconds: 10 },
    });
    // Generous deadlines: the machine may be busy; the assertions are on the end state.
    expect(await waitForReplicas(5)).toBe(5);
    expect(await waitForReplicas(2)).toBe(2);
    await fixture.stopOperator(operator, true);
  });
});
