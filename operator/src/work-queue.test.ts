import { WorkQueue } from './work-queue.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('operator: WorkQueue', () => {
  it('runs one handler per key at a time and runs a key added meanwhile once more', async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    let running = 0;
    let most = 0;
    let calls = 0;
    queue.start(async () => {
      calls += 1;
      running += 1;
      most = Math.max(most, running);
      await sleep(30);
      running -= 1;
      return undefined;
    });
    queue.add('ns/a');
    await sleep(5);
    queue.add('ns/a');
    queue.add('ns/a');
    await sleep(100);
    expect(most).toBe(1);
    expect(calls).toBe(2);
    await queue.stop();
  });

  it('retries a failing key with growing delays and honours requeue-after', async () => {
    const times: number[] = [];
    const queue = new WorkQueue({ concurrency: 1, baseRetryMs: 20, random: () => 1 });
    queue.start(() => {
      times.push(Date.now());
      if (times.length < 3) return Promise.reject(new Error('not yet'));
      return Promise.resolve(times.length === 3 ? { requeueAfterMs: 50 } : undefined);
    });
    queue.add('ns/b');
    await sleep(250);
    await queue.stop();
    expect(times.length).toBe(4);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(48);
  });

  it('waits out a requeue months ahead instead of running it at once', async () => {
    let calls = 0;
    const queue = new WorkQueue({ concurrency: 1 });
    queue.start(() => {
      calls += 1;
      // A sale that opens in 200 days asks to be looked at again then.
      return Promise.resolve({ requeueAfterMs: 200 * 24 * 3600 * 1000 });
    });
    queue.add('ns/far-future');
    await sleep(100);
    await queue.stop();
    expect(calls).toBe(1);
  });
});
