import { readdir, readFile } from 'node:fs/promises';
import { clusterDown, clusterStatus, nodeMounts, ownRulesLeft, status } from '@flashsale/stack';
import { clusterStartTimeoutMs, useCluster } from './cluster-harness.ts';

/** Processes whose command line mentions the state directory's node (containerd, shims, ...). */
async function nodeProcesses(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll(
      '\0',
      ' ',
    );
    if (cmdline.includes(marker)) found.push(`${entry}: ${cmdline.slice(0, 120)}`);
  }
  return found;
}

describe('cluster: `cluster down`', () => {
  beforeAll(async () => {
    await useCluster();
  }, clusterStartTimeoutMs);

  it('leaves no process, container, mount, bridge or iptables rule of ours', async () => {
    await clusterDown();
    const after = await clusterStatus();
    expect(after.running).toEqual([]);
    expect(after.bridge).toBe(false);
    expect(after.nodeAddress).toBeUndefined();
    expect(await nodeMounts()).toEqual([]);
    expect(await ownRulesLeft()).toEqual([]);
    expect(await nodeProcesses('/.flashsale/node/')).toEqual([]);
    expect((await status()).filter((row) => row.pid !== undefined)).toEqual([]);
  });
});
