import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { PurchaseDecider, saleKeys } from '@flashsale/platform';
import { projectRoot, statePath } from '@flashsale/stack';
import {
  eventually,
  stackStartTimeoutMs,
  OperatorFixture,
  secondsFromNow,
  ApiServerRecorder,
  RedisRecorder,
} from '@flashsale/testkit';
import type { RunningOperator } from './operator.ts';

/**
 * A real operator process leads, is frozen with SIGSTOP mid-sale, and is resumed with
 * SIGCONT after a standby took the lease over and went on with the sale. Everything the
 * frozen leader says to the API server and to Redis passes through recording proxies, so
 * the spec sees for itself that it writes nothing once resumed.
 */
describe('operator: a frozen leader', () => {
  const fixture = new OperatorFixture('op-freeze');
  const apiServer = new ApiServerRecorder();
  const redis = new RedisRecorder();
  let frozen: ChildProcess | undefined;
  let standby: RunningOperator | undefined;

  beforeAll(async () => {
    await fixture.setUp();
    await apiServer.start(fixture.kubeConfig);
    await redis.start(fixture.stack.REDIS_URL);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    frozen?.kill('SIGCONT');
    frozen?.kill('SIGKILL');
    await apiServer.stop();
    await redis.stop();
    await fixture.tearDown();
  }, 60_000);

  async function leaseHolder(): Promise<string | undefined> {
    const lease = await fixture.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({
      namespace: fixture.namespace,
      name: `flashsale-operator-${fixture.names.id}`,
    });
    return lease.spec?.holderIdentity;
  }

  /** Starts `cmd/operator` as its own process, reaching the stack through the proxies. */
  async function spawnOperator(identity: string) {
    const config = await fixture.config({ OPERATOR_IDENTITY: identity });
    const logDir = statePath('logs', 'tests');
    await mkdir(logDir, { recursive: true });
    const kubeconfig = join(logDir, `${fixture.names.id}-${identity}.kubeconfig`);
    await writeFile(kubeconfig, apiServer.kubeconfig());
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(config))
      if (value !== undefined) env[key] = String(value);
    Object.assign(env, { KUBECONFIG: kubeconfig, REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/operator/main.ts'], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(logDir, `${fixture.names.id}-${identity}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    return { child, exited, log: join(logDir, `${fixture.names.id}-${identity}.log`) };
  }

  it('is replaced by the standby and writes nothing after its lease expired once resumed', async () => {
    const leader = await spawnOperator('frozen-a');
    frozen = leader.child;
    await eventually(`frozen-a to lead (log: ${leader.log})`, async () =>
      (await leaseHolder()) === 'frozen-a' ? true : undefined,
    );
    standby = await fixture.startOperator('standby-b');
    await fixture.createSale('freeze-live', {
      stock: 10,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus('freeze-live', 'Active', (s) => s.state === 'Active', 30_000);
    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    expect(
      (await decider.decide({ sale: 'freeze-live', userId: 'ann', quantity: 2 })).outcome,
    ).toBe('confirmed');
    await fixture.waitForStatus('freeze-live', 'sold 2', (s) => s.sold === 2);
    const writesWhileLeading = apiServer.writes.length;
    expect(writesWhileLeading).toBeGreaterThan(0);

    // Frozen mid-sale: its refresh timer (1 s) and lease renewals (250 ms) are overdue.
    leader.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    await eventually('the standby to take over', () =>
      Promise.resolve(standby?.isLeader() ? true : undefined),
    );
    expect(await leaseHolder()).toBe('standby-b');
    expect(
      (await decider.decide({ sale: 'freeze-live', userId: 'bob', quantity: 3 })).outcome,
    ).toBe('confirmed');
    await fixture.waitForStatus('freeze-live', 'sold 5 by the standby', (s) => s.sold === 5);
    await fixture.patchSpec('freeze-live', { stock: 12 });
    await fixture.waitForStatus('freeze-live', 'stock 12', (s) => s.stock === 12);

    leader.child.kill('SIGCONT');
    const code = await Promise.race([
      leader.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    // It noticed it had lost the lease and exited to restart clean.
    expect(code).toBe(75);
    frozen = undefined;

    const lateWrites = apiServer.writes.filter((write) => write.at >= frozenAt);
    expect(lateWrites).toEqual([]);
    const lateRedis = redis.sent.filter((chunk) => chunk.at >= frozenAt);
    expect(lateRedis).toEqual([]);
    // The sale is the standby's: nothing of the old leader's stale view came back.
    const status = (await fixture.getSale('freeze-live')).status;
    expect(status).toEqual(jasmine.objectContaining({ stock: 12, sold: 5, remaining: 7 }));
    expect(await fixture.redis.get(saleKeys('freeze-live').remaining)).toBe('7');
    expect(await leaseHolder()).toBe('standby-b');
  }, 120_000);
});
