import type { Watch } from '@kubernetes/client-node';
import { createLogger } from '@flashsale/runtime';
import { needsReconcile } from './controller.ts';
import type { FlashSaleObject } from './flash-sale-api.ts';
import { Informer } from './informer.ts';
import { settle } from '@flashsale/testkit';

function sale(
  metadata: Partial<FlashSaleObject['metadata']> = {},
  status: FlashSaleObject['status'] = {},
): FlashSaleObject {
  return {
    metadata: {
      name: 'drop',
      namespace: 'ns',
      generation: 1,
      resourceVersion: '10',
      finalizers: ['flashsale.io/cleanup'],
      annotations: { team: 'shoes' },
      ...metadata,
    },
    status,
  };
}

describe('operator: what wakes a reconcile', () => {
  it('ignores status-only updates, the operator’s own writes among them', () => {
    const before = sale({}, { sold: 1 });
    const after = sale({ resourceVersion: '11' }, { sold: 2, remaining: 8 });
    expect(needsReconcile(after, before)).toBeFalse();
  });

  it('wakes on a new object or resync, and on generation, deletion, finalizer or annotation changes', () => {
    const before = sale();
    expect(needsReconcile(before, undefined)).toBeTrue();
    expect(needsReconcile(sale({ generation: 2 }), before)).toBeTrue();
    expect(needsReconcile(sale({ deletionTimestamp: new Date() }), before)).toBeTrue();
    expect(needsReconcile(sale({ finalizers: [] }), before)).toBeTrue();
    expect(needsReconcile(sale({ annotations: { team: 'boots' } }), before)).toBeTrue();
    // Key order of annotations is no change.
    const two = sale({ annotations: { a: '1', b: '2' } });
    expect(needsReconcile(sale({ annotations: { b: '2', a: '1' } }), two)).toBeFalse();
  });

  it('reports the replaced copy to listeners, and forgets its cache when stopped', async () => {
    let onEvent: (phase: string, object: FlashSaleObject) => void = () => undefined;
    const watch = {
      watch: (_path: string, _options: unknown, event: typeof onEvent) => {
        onEvent = event;
        return Promise.resolve(new AbortController());
      },
    } as unknown as Watch;
    let listed = [sale()];
    const informer = new Informer<FlashSaleObject>({
      list: () => Promise.resolve({ items: listed, resourceVersion: '10' }),
      watch,
      path: '/sales',
      keyOf: (object) => `${object.metadata.namespace}/${object.metadata.name}`,
      resyncMs: 3_600_000,
      logger: createLogger('operator', 'silent'),
    });
    const seen: [string | undefined, string | undefined][] = [];
    informer.onUpsert((object, previous) =>
      seen.push([object.metadata.resourceVersion, previous?.metadata.resourceVersion]),
    );
    informer.start();
    await settle();
    onEvent('MODIFIED', sale({ resourceVersion: '11' }, { sold: 1 }));
    expect(seen).toEqual([
      ['10', undefined],
      ['11', '10'],
    ]);

    informer.stop();
    expect(informer.hasSynced).toBeFalse();
    expect(informer.get('ns/drop')).toBeUndefined();
    // Leading again starts from a fresh list: every object is new to the rebuilt cache.
    listed = [sale({ resourceVersion: '12' })];
    informer.start();
    await settle();
    expect(seen.at(-1)).toEqual(['12', undefined]);
    expect(informer.get('ns/drop')?.metadata.resourceVersion).toBe('12');
    informer.stop();
  });
});
