import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@flashsale/runtime';
import { systemClock, type Clock } from './clock.ts';
import type { FlashSaleObject } from './flash-sale-api.ts';

/** Who reports our Events (`kubectl describe` shows it as the source). */
export const eventComponent = 'flashsale-operator';

/**
 * Kubernetes Events on FlashSales (core/v1, which `kubectl describe` and `kubectl get events`
 * show). Events are a courtesy to people, not state: a failed write is logged and dropped
 * rather than failing or repeating the reconcile that caused it.
 */
export class EventRecorder {
  private readonly core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async record(
    sale: FlashSaleObject,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  ): Promise<void> {
    const now = this.clock.now();
    const { namespace, name } = sale.metadata;
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: {
            name: `${name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`,
            namespace,
          },
          involvedObject: {
            apiVersion: sale.apiVersion ?? 'flashsale.io/v1alpha1',
            kind: sale.kind ?? 'FlashSale',
            name,
            namespace,
            ...(sale.metadata.uid === undefined ? {} : { uid: sale.metadata.uid }),
            ...(sale.metadata.resourceVersion === undefined
              ? {}
              : { resourceVersion: sale.metadata.resourceVersion }),
          },
          type: event.type,
          reason: event.reason,
          message: event.message,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          source: { component: eventComponent },
          reportingComponent: eventComponent,
          reportingInstance: this.instance,
        },
      });
    } catch (error) {
      this.logger.warn(
        {
          err: error instanceof Error ? error.message : String(error),
          sale: `${namespace}/${name}`,
          reason: event.reason,
        },
        'recording an event failed',
      );
    }
  }
}
