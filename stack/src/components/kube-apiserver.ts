import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { loopback, port } from '../ports.ts';
import { kubeconfigPath, toolBin } from '../paths.ts';
import type { Component } from './component.ts';
import { etcdUrl } from './etcd.ts';
import { nodeAddress } from '../node-network.ts';
import { ensurePki, pkiDir, pkiFile, writeKubeconfig } from './pki.ts';

export const kubeApiserverUrl = (): string => `https://${loopback}:${port('kubeApiserver')}`;

async function readyz(): Promise<boolean> {
  const files = ['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(pkiFile(f)));
  const [ca, cert, key] = await Promise.all(files).catch(() => []);
  if (!ca || !cert || !key) return false;
  return new Promise((resolve) => {
    const req = request(
      `${kubeApiserverUrl()}/readyz`,
      { ca, cert, key, timeout: 2000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Without a node the flags follow controller-runtime's envtest: no kubelet, no controller
 * manager, so the ServiceAccount admission plugin (which waits for a token controller) is off.
 * With the cluster's node (`cluster up`) the API server is a full control plane: the
 * `kubernetes` Service points at the node address (relayed to loopback, see
 * stack/src/cluster), pods get ServiceAccount tokens, kubelets are authorised as nodes.
 */
export function modeFlags(node: string | undefined): string[] {
  if (!node) {
    return [
      `--advertise-address=${loopback}`,
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
    ];
  }
  return [
    `--advertise-address=${node}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--kubelet-client-certificate=${pkiFile('admin.crt')}`,
    `--kubelet-client-key=${pkiFile('admin.key')}`,
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

export const kubeApiserver: Component = {
  name: 'kube-apiserver',
  dependsOn: ['etcd'],
  portName: 'kubeApiserver',
  endpoints: () => ({ KUBECONFIG: kubeconfigPath() }),
  prepare: async () => {
    await ensurePki();
    await writeKubeconfig(kubeconfigPath(), kubeApiserverUrl());
  },
  launchSpec: () =>
    Promise.resolve({
      name: 'kube-apiserver',
      cmd: toolBin('kube-apiserver'),
      args: [
        `--etcd-servers=${etcdUrl()}`,
        `--bind-address=${loopback}`,
        `--secure-port=${port('kubeApiserver')}`,
        `--cert-dir=${pkiDir()}`,
        `--tls-cert-file=${pkiFile('apiserver.crt')}`,
        `--tls-private-key-file=${pkiFile('apiserver.key')}`,
        `--client-ca-file=${pkiFile('ca.crt')}`,
        `--service-account-issuer=${kubeApiserverUrl()}`,
        `--service-account-key-file=${pkiFile('sa.pub')}`,
        `--service-account-signing-key-file=${pkiFile('sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--v=1',
        ...modeFlags(nodeAddress()),
      ],
    }),
  isReady: readyz,
  readyTimeoutMs: 90_000,
};
