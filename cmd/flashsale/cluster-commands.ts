import type { Command } from 'commander';
import { clusterDown, clusterStatus, clusterUp, log } from '@flashsale/stack';

/** `flashsale cluster up|down|status`: the one-node Kubernetes cluster (docs/cluster.md). */
export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('a real one-node Kubernetes cluster on this machine, running the chart');

  cluster
    .command('up')
    .description(
      'start the stack, the node and its control plane, build the images, install the chart',
    )
    .action(async () => {
      const { apiUrl, webUrl } = await clusterUp();
      process.stdout.write(`API:        ${apiUrl}\nStorefront: ${webUrl}\n`);
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

  cluster
    .command('status')
    .description(
      'which node components run, whether the node is Ready, what is left on the machine',
    )
    .action(async () => {
      const status = await clusterStatus();
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    });
}
