import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { run, runOrThrow } from '../exec.ts';
import { nodeNetwork } from '../node-network.ts';
import { nodeDir } from './node-config.ts';

/**
 * The node's network on this machine: one bridge with the node address, a route for the
 * Service range through it, and a FORWARD guard so nothing from a pod is routed off the
 * bridge (pods reach the node and each other, never another network). `down` removes the
 * bridge (and with it the route and every pod's veth), the guard, every iptables chain
 * kube-proxy or the kubelet made, and restores the kernel settings it changed.
 */
const guardChain = 'FLASHSALE-FORWARD';

/** Kernel settings the node needs or the kubelet sets, restored by `down`. */
const sysctls: Record<string, string | undefined> = {
  'net/ipv4/ip_forward': '1',
  'net/bridge/bridge-nf-call-iptables': '1',
  'net/bridge/bridge-nf-call-ip6tables': '1',
  // Set by the kubelet at start (setupKernelTunables); recorded so `down` puts them back.
  'vm/overcommit_memory': undefined,
  'vm/panic_on_oom': undefined,
  'kernel/panic': undefined,
  'kernel/panic_on_oops': undefined,
  'kernel/keys/root_maxkeys': undefined,
  'kernel/keys/root_maxbytes': undefined,
};

const savedSysctls = (): string => nodeDir('sysctls.json');

async function ip(args: readonly string[]): Promise<void> {
  await runOrThrow('ip', args);
}

async function bridgeExists(): Promise<boolean> {
  return (await run('ip', ['link', 'show', nodeNetwork.bridge])).code === 0;
}

async function saveAndSetSysctls(): Promise<void> {
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(await readFile(savedSysctls(), 'utf8')) as Record<string, string>;
  } catch {
    for (const key of Object.keys(sysctls))
      saved[key] = (await readFile(`/proc/sys/${key}`, 'utf8')).trim();
    await writeFile(savedSysctls(), JSON.stringify(saved));
  }
  for (const [key, value] of Object.entries(sysctls))
    if (value !== undefined) await writeFile(`/proc/sys/${key}`, value);
}

async function restoreSysctls(): Promise<void> {
  let saved: Record<string, string>;
  try {
    saved = JSON.parse(await readFile(savedSysctls(), 'utf8')) as Record<string, string>;
  } catch {
    return;
  }
  for (const [key, value] of Object.entries(saved))
    await writeFile(`/proc/sys/${key}`, value).catch(() => undefined);
  await writeFile(savedSysctls(), '').catch(() => undefined);
}

async function iptables(args: readonly string[]): Promise<number> {
  return (await run('iptables', ['-w', '5', ...args])).code;
}

/** Pods may talk across the bridge and to the node; nothing is routed in or out of it. */
async function ensureForwardGuard(): Promise<void> {
  if ((await iptables(['-n', '-L', guardChain])) !== 0) {
    await runOrThrow('iptables', ['-w', '5', '-N', guardChain]);
    const bridge = nodeNetwork.bridge;
    await runOrThrow('iptables', [
      '-w',
      '5',
      '-A',
      guardChain,
      '-i',
      bridge,
      '!',
      '-o',
      bridge,
      '-j',
      'DROP',
    ]);
    await runOrThrow('iptables', [
      '-w',
      '5',
      '-A',
      guardChain,
      '-o',
      bridge,
      '!',
      '-i',
      bridge,
      '-j',
      'DROP',
    ]);
  }
  if ((await iptables(['-C', 'FORWARD', '-j', guardChain])) !== 0)
    await runOrThrow('iptables', ['-w', '5', '-I', 'FORWARD', '1', '-j', guardChain]);
}

export async function networkUp(): Promise<void> {
  await mkdir(nodeDir(), { recursive: true });
  // br_netfilter makes bridged traffic pass iptables (Service routing needs it).
  if ((await run('test', ['-d', '/proc/sys/net/bridge'])).code !== 0)
    await runOrThrow('modprobe', ['br_netfilter']);
  if (!(await bridgeExists())) {
    await ip(['link', 'add', nodeNetwork.bridge, 'type', 'bridge']);
  }
  const address = `${nodeNetwork.nodeIp}/${nodeNetwork.prefixLength}`;
  const addresses = await runOrThrow('ip', ['-4', '-o', 'addr', 'show', 'dev', nodeNetwork.bridge]);
  if (!addresses.includes(address)) await ip(['addr', 'add', address, 'dev', nodeNetwork.bridge]);
  await ip(['link', 'set', nodeNetwork.bridge, 'up']);
  // Service addresses are only ever routed to the bridge, never to the machine's uplink.
  await ip([
    'route',
    'replace',
    nodeNetwork.serviceCidr,
    'dev',
    nodeNetwork.bridge,
    'src',
    nodeNetwork.nodeIp,
  ]);
  await saveAndSetSysctls();
  await ensureForwardGuard();
}

/** Chain names this node's components create (kube-proxy, the kubelet's canaries, ours). */
export const ownChain = /^(KUBE-[A-Z0-9-]+|FLASHSALE-[A-Z0-9-]+)$/;

/**
 * An iptables-save dump without our chains and without any rule that names one of them:
 * restoring it leaves every other rule of the machine as it was.
 */
export function withoutOwnRules(dump: string): string {
  const mentionsOwn = (line: string): boolean =>
    line
      .split(/\s+/)
      .some((word) => ownChain.test(word.replace(/^:/, '')) && !word.startsWith('--'));
  return `${dump
    .split('\n')
    .filter((line) => !(line.startsWith(':') || line.startsWith('-A')) || !mentionsOwn(line))
    .join('\n')
    .trimEnd()}\n`;
}

async function removeOwnRules(family: 'iptables' | 'ip6tables'): Promise<boolean> {
  const dump = await run(`${family}-save`, []);
  if (dump.code !== 0) return false;
  const cleaned = withoutOwnRules(dump.output);
  if (cleaned.trim() === dump.output.trim()) return false;
  const file = nodeDir(`${family}.restore`);
  await writeFile(file, cleaned);
  await runOrThrow('sh', ['-c', `${family}-restore -w 5 < ${file}`]);
  return true;
}

/** What `ownRulesLeft` found: the iptables lines of ours still present (none after `down`). */
export async function ownRulesLeft(): Promise<string[]> {
  const left: string[] = [];
  for (const family of ['iptables', 'ip6tables']) {
    const dump = await run(`${family}-save`, []);
    const ruleLines = dump.output
      .split('\n')
      .filter((line) => line.startsWith(':') || line.startsWith('-A'));
    for (const line of ruleLines)
      if (withoutOwnRules(`${line}\n`).trim() === '') left.push(`${family}: ${line}`);
  }
  return left;
}

export async function networkDown(): Promise<void> {
  await removeOwnRules('iptables');
  await removeOwnRules('ip6tables');
  if (await bridgeExists()) await ip(['link', 'delete', nodeNetwork.bridge]);
  await restoreSysctls();
}

export { bridgeExists };
