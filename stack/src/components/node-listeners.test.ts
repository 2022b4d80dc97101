import { serverProperties } from './kafka.ts';
import { modeFlags } from './kube-apiserver.ts';
import { bindArgs } from './redis.ts';

describe('stack servers with and without the cluster node address', () => {
  it('Redis binds loopback only, or loopback and the node address with protected mode off', () => {
    expect(bindArgs(undefined)).toEqual(['--bind', '127.0.0.1']);
    expect(bindArgs('10.244.0.1')).toEqual([
      '--bind',
      '127.0.0.1',
      '10.244.0.1',
      '--protected-mode',
      'no',
    ]);
  });

  it('Kafka adds a NODE listener advertised at the node address', () => {
    const lines = serverProperties(
      { broker: 19092, controller: 19093, node: { address: '10.244.0.1', port: 19094 } },
      '/data',
    ).split('\n');
    expect(lines).toContain(
      'listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,NODE://10.244.0.1:19094',
    );
    expect(lines).toContain(
      'advertised.listeners=PLAINTEXT://127.0.0.1:19092,NODE://10.244.0.1:19094',
    );
    const loopbackOnly = serverProperties({ broker: 19092, controller: 19093 }, '/data');
    expect(loopbackOnly).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19092\n');
  });

  it('kube-apiserver keeps the envtest flags without a node, and serves pods with one', () => {
    expect(modeFlags(undefined)).toContain('--disable-admission-plugins=ServiceAccount');
    const node = modeFlags('10.244.0.1');
    expect(node).toContain('--advertise-address=10.244.0.1');
    expect(node).toContain('--authorization-mode=Node,RBAC');
    expect(node.some((flag) => flag.includes('ServiceAccount'))).toBe(false);
  });
});
