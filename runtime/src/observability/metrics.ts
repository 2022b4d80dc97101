import { Registry, collectDefaultMetrics } from 'prom-client';

export function createRegistry(process: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** How long a scrape waits for a fresh reading from Redis before it answers the last one. */
export const scrapeReadTimeoutMs = 250;

/**
 * A scrape-time reading that never fails or stalls a scrape: it waits at most `timeoutMs`
 * for a fresh value and otherwise answers the last one it got (so /metrics keeps answering,
 * with the last known values, while Redis is down or stalled). One reading runs at a time.
 */
export function lastKnown<T>(
  read: () => Promise<T>,
  initial: T,
  timeoutMs = scrapeReadTimeoutMs,
): () => Promise<T> {
  let last = initial;
  let pending: Promise<void> | undefined;
  return async () => {
    pending ??= read()
      .then(
        (value) => {
          last = value;
        },
        () => undefined,
      )
      .finally(() => {
        pending = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([pending, timedOut]);
    clearTimeout(timer);
    return last;
  };
}
