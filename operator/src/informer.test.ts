import type { KubernetesObject, Watch } from '@kubernetes/client-node';
import { createLogger } from '@flashsale/runtime';
import { Informer } from './informer.ts';
import { ManualClock } from '@flashsale/testkit';

type Item = KubernetesObject & { metadata: { name: string; resourceVersion: string } };

const item = (name: string, resourceVersion = '1'): Item => ({
  metadata: { name, resourceVersion },
});

/** A Watch whose streams the spec ends by hand; it counts how many were opened. */
class FakeWatch {
  opened = 0;
  private done: ((error: unknown) => void) | undefined;

  readonly watch = {
    watch: (
      _path: string,
      _options: unknown,
      _onEvent: unknown,
      onDone: (error: unknown) => void,
    ): Promise<AbortController> => {
      this.opened += 1;
      this.done = onDone;
      return Promise.resolve(new AbortController());
    },
  } as unknown as Watch;

  /** The server ends the open watch: cleanly (`undefined`) or with an error. */
  end(error?: unknown): void {
    this.done?.(error);
  }
}

describe('operator: informer timing (unit, manual clock)', () => {
  let clock: ManualClock;
  let watch: FakeWatch;
  let lists: number;
  let failLists: boolean;
  let informer: Informer<Item> | undefined;

  function started(resyncMs = 60_000): Informer<Item> {
    informer = new Informer<Item>({
      list: () => {
        lists += 1;
        if (failLists) return Promise.reject(new Error('connection refused'));
        return Promise.resolve({ items: [item('a')], resourceVersion: '1' });
      },
      watch: watch.watch,
      path: '/items',
      keyOf: (object) => object.metadata?.name ?? '',
      resyncMs,
      logger: createLogger('operator', 'silent'),
      backoff: { initialMs: 1000, maxMs: 30_000 },
      clock,
    });
    informer.start();
    return informer;
  }

  beforeEach(() => {
    clock = new ManualClock();
    watch = new FakeWatch();
    lists = 0;
    failLists = false;
  });

  afterEach(() => informer?.stop());

  it('relists on its resync timer, reporting every object again, and not before', async () => {
    const reported: (string | undefined)[] = [];
    started(60_000).onUpsert((object, previous) =>
      reported.push(previous === undefined ? `new ${object.metadata?.name}` : 'update'),
    );
    await clock.advance(0);
    expect(lists).toBe(1);
    await clock.advance(59_999);
    expect(lists).toBe(1);
    await clock.advance(1);
    expect(lists).toBe(2);
    expect(reported).toEqual(['new a', 'new a']);
    await clock.advance(60_000);
    expect(lists).toBe(3);
  });

  it('retries a failed list after a backoff delay, not at once, and stops retrying when stopped', async () => {
    failLists = true;
    const running = started();
    await clock.advance(0);
    expect(lists).toBe(1);
    // The first delay is jittered within [500, 1000] ms of the 1 s initial backoff.
    await clock.advance(499);
    expect(lists).toBe(1);
    await clock.advance(501);
    expect(lists).toBe(2);
    running.stop();
    await clock.advance(60_000);
    expect(lists).toBe(2);
    expect(clock.timers).toBe(0);
  });

  it('backs off from a watch that ends at once, and resumes at once after a healthy one', async () => {
    started();
    await clock.advance(0);
    expect(watch.opened).toBe(1);
    // Closed at once, nothing delivered: a restart with backoff (a fresh list), not a hot loop.
    watch.end();
    await clock.advance(0);
    expect(watch.opened).toBe(1);
    await clock.advance(1000);
    expect(lists).toBe(2);
    expect(watch.opened).toBe(2);
    // Open for its timeout, then closed by the server: resumed at once, without a relist.
    await clock.advance(5000);
    watch.end();
    await clock.advance(0);
    expect(watch.opened).toBe(3);
    expect(lists).toBe(2);
  });
});
