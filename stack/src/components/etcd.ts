import { privateDir } from '../private-dir.ts';
import { loopback, port } from '../ports.ts';
import { statePath, toolBin } from '../paths.ts';
import { httpOk, type Component } from './component.ts';

export const etcdUrl = (): string => `http://${loopback}:${port('etcd')}`;

export const etcd: Component = {
  name: 'etcd',
  dependsOn: [],
  portName: 'etcd',
  endpoints: () => ({ ETCD_URL: etcdUrl() }),
  prepare: async () => {
    await privateDir(statePath('data', 'etcd'));
  },
  launchSpec: () => {
    const peer = `http://${loopback}:${port('etcdPeer')}`;
    return Promise.resolve({
      name: 'etcd',
      cmd: toolBin('etcd'),
      args: [
        '--name=flashsale',
        `--data-dir=${statePath('data', 'etcd')}`,
        `--listen-client-urls=${etcdUrl()}`,
        `--advertise-client-urls=${etcdUrl()}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=flashsale=${peer}`,
        // As envtest runs it: a throwaway single member, so fsync buys nothing here.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });
  },
  isReady: () => httpOk(`${etcdUrl()}/health`),
  readyTimeoutMs: 20_000,
};
