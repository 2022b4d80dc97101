import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { systemClock, type Clock } from '../clock.ts';
import { flashSaleCrd, flashSaleCrdName } from './crd.ts';

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some(
    (c) => c.type === 'Established' && c.status === 'True',
  );
}

/**
 * Server-side applies the FlashSale CRD and waits until the API server serves it. Idempotent
 * and safe to call from several processes at once (one field manager, forced), which is why
 * tests and development tooling use it; production installs apply manifests/crds/ instead.
 */
export async function applyFlashSaleCrd(
  kubeConfig: KubeConfig,
  fieldManager: string,
  timeoutMs = 30_000,
  clock: Clock = systemClock,
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  await objects.patch(
    flashSaleCrd(),
    undefined,
    undefined,
    fieldManager,
    true,
    PatchStrategy.ServerSideApply,
  );
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const deadline = clock.monotonicMs() + timeoutMs;
  while (
    !isEstablished(await extensions.readCustomResourceDefinition({ name: flashSaleCrdName }))
  ) {
    if (clock.monotonicMs() > deadline) {
      throw new Error(`CRD ${flashSaleCrdName} not Established after ${timeoutMs / 1000}s`);
    }
    await clock.sleep(200);
  }
}
