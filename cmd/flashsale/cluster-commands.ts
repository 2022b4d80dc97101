import type { Command } from 'commander';
import { clusterDown, clusterStatus, clusterUp, log, type ClusterStatus } from '@flashsale/stack';
import { printResult, withJsonOption, type OutputFlags } from './cli-output.ts';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** `cluster status --json`: ClusterStatus with `nodeAddress` null when the node has none. */
export type ClusterStatusJson = Omit<ClusterStatus, 'nodeAddress'> & {
  readonly nodeAddress: string | null;
};

/** `cluster status` for people: what runs, and what a `cluster down` would still clean up. */
export function formatClusterStatus(status: ClusterStatusJson): string {
  return [
    `node components: ${status.running.length > 0 ? status.running.join(', ') : 'none running'}`,
    `node Ready:      ${yesNo(status.nodeReady)}`,
    `bridge:          ${yesNo(status.bridge)}${status.nodeAddress ? ` (node ${status.nodeAddress})` : ''}`,
    `left behind:     ${status.mounts} mounts, ${status.iptablesRules} iptables rules`,
    `API:             ${status.apiUrl}`,
    `Storefront:      ${status.webUrl}`,
    `env file:        ${status.envFile}`,
  ].join('\n');
}

/** `flashsale cluster up|down|status`: the one-node Kubernetes cluster (docs/cluster.md). */
export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('a real one-node Kubernetes cluster on this machine, running the chart');

  withJsonOption(
    cluster
      .command('up')
      .description(
        'start the stack, the node and its control plane, build the images, install the chart',
      ),
  ).action(async (flags: OutputFlags) => {
    const { apiUrl, webUrl } = await clusterUp();
    printResult(
      flags,
      { apiUrl, webUrl },
      (urls) => `API:        ${urls.apiUrl}\nStorefront: ${urls.webUrl}`,
    );
  });

  cluster
    .command('down')
    .description(
      'remove every pod, container, mount, bridge and iptables rule, then stop the stack',
    )
    .action(async () => {
      await clusterDown();
      log('cluster down: done');
    });

  withJsonOption(
    cluster
      .command('status')
      .description(
        'which node components run, whether the node is Ready, what is left on the machine',
      ),
  ).action(async (flags: OutputFlags) => {
    const status = await clusterStatus();
    printResult(flags, { ...status, nodeAddress: status.nodeAddress ?? null }, formatClusterStatus);
  });
}
