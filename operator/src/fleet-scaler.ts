import {
  AppsV1Api,
  AutoscalingV2Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import { statusCodeOf } from './flash-sale-api.ts';

/** Where the replica count Helm (or whoever) configured is kept while a sale raises it. */
export const baselineAnnotation = 'flashsale.io/baseline-min-replicas';

/** Our server-side-apply field manager: it owns only the fields it sets. */
export const fieldManager = 'flashsale-operator';

export type FleetTarget =
  | { readonly kind: 'hpa'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'deployment'; readonly namespace: string; readonly name: string };

/** What the fleet looks like after `ensureFloor`. */
export type FleetState =
  | { readonly found: false; readonly target: FleetTarget }
  | {
      readonly found: true;
      readonly target: FleetTarget;
      /** The floor now in force: HPA minReplicas, or Deployment replicas. */
      readonly replicas: number;
      readonly baseline: number;
      /** The HPA's maxReplicas, which caps any floor. */
      readonly max: number | undefined;
      /** Ready pods of the Deployment (the HPA's scale target); undefined when unknown. */
      readonly ready: number | undefined;
    };

interface Scalable {
  readonly metadata: V1ObjectMeta | undefined;
  readonly replicas: number;
  readonly max: number | undefined;
  readonly ready: number | undefined;
}

const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/**
 * Raises and restores the API fleet's replica floor with server-side apply. With field
 * manager `flashsale-operator` we own only minReplicas (or replicas) and the baseline
 * annotation; Helm keeps every other field, and a Helm upgrade never fights ours.
 */
export class FleetScaler {
  private readonly autoscaling: AutoscalingV2Api;
  private readonly apps: AppsV1Api;

  constructor(
    kubeConfig: KubeConfig,
    readonly target: FleetTarget,
  ) {
    this.autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  /** Makes the floor at least `floor` (undefined: no sale needs capacity, restore the baseline). */
  async ensureFloor(floor: number | undefined): Promise<FleetState> {
    const current = await this.read();
    if (!current) return { found: false, target: this.target };
    const stored = current.metadata?.annotations?.[baselineAnnotation];
    const baseline = stored === undefined ? current.replicas : Number(stored);
    if (floor === undefined) {
      if (stored !== undefined) await this.apply(baseline, undefined);
      return this.state(baseline, baseline, current);
    }
    const wanted = Math.max(baseline, floor);
    const target = current.max === undefined ? wanted : Math.min(wanted, current.max);
    if (target !== current.replicas || stored === undefined) await this.apply(target, baseline);
    return this.state(target, baseline, current);
  }

  private state(replicas: number, baseline: number, current: Scalable): FleetState {
    const { max, ready } = current;
    return { found: true, target: this.target, replicas, baseline, max, ready };
  }

  /** Ready pods of a Deployment, or undefined when it cannot be read. */
  private async readyPods(
    namespace: string,
    name: string | undefined,
  ): Promise<number | undefined> {
    if (!name) return undefined;
    try {
      const deployment = await this.apps.readNamespacedDeployment({ namespace, name });
      return deployment.status?.readyReplicas ?? 0;
    } catch {
      return undefined;
    }
  }

  private async read(): Promise<Scalable | undefined> {
    const { namespace, name } = this.target;
    try {
      return this.target.kind === 'hpa'
        ? await this.readHpa(namespace, name)
        : await this.readDeployment(namespace, name);
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw new Error(`reading ${this.target.kind} ${namespace}/${name} failed`, { cause: error });
    }
  }

  private async readHpa(namespace: string, name: string): Promise<Scalable> {
    const hpa = await this.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });
    const scaled = hpa.spec?.scaleTargetRef;
    const deployment = scaled?.kind === 'Deployment' ? scaled.name : undefined;
    return {
      metadata: hpa.metadata,
      replicas: hpa.spec?.minReplicas ?? 1,
      max: hpa.spec?.maxReplicas,
      ready: await this.readyPods(namespace, deployment),
    };
  }

  private async readDeployment(namespace: string, name: string): Promise<Scalable> {
    const deployment = await this.apps.readNamespacedDeployment({ namespace, name });
    return {
      metadata: deployment.metadata,
      replicas: deployment.spec?.replicas ?? 1,
      max: undefined,
      ready: deployment.status?.readyReplicas ?? 0,
    };
  }

  /**
   * Applies our two fields. Without a baseline the annotation is left out of the apply, and
   * server-side apply removes it because we were its only owner.
   */
  private async apply(replicas: number, baseline: number | undefined): Promise<void> {
    const { namespace, name } = this.target;
    const metadata = {
      name,
      namespace,
      ...(baseline === undefined
        ? {}
        : { annotations: { [baselineAnnotation]: String(baseline) } }),
    };
    const request = { name, namespace, fieldManager, force: true };
    try {
      if (this.target.kind === 'hpa') {
        const body = {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata,
          spec: { minReplicas: replicas },
        };
        await this.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { ...request, body },
          serverSideApply,
        );
        return;
      }
      const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas } };
      await this.apps.patchNamespacedDeployment({ ...request, body }, serverSideApply);
    } catch (error) {
      throw new Error(`scaling ${this.target.kind} ${namespace}/${name} to ${replicas} failed`, {
        cause: error,
      });
    }
  }
}
