import { withoutOwnRules } from './network.ts';

describe('cluster network: removing our iptables rules', () => {
  const dump = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':FLASHSALE-FORWARD - [0:0]',
    ':KUBE-FORWARD - [0:0]',
    ':OTHER-CHAIN - [0:0]',
    '-A FORWARD -j FLASHSALE-FORWARD',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -i eth0 -j OTHER-CHAIN',
    '-A FLASHSALE-FORWARD -i flashsale0 ! -o flashsale0 -j DROP',
    '-A OTHER-CHAIN -p tcp --dport 22 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');

  it('drops our chains and every rule naming one, and keeps everything else as it was', () => {
    expect(withoutOwnRules(dump).split('\n')).toEqual([
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OTHER-CHAIN - [0:0]',
      '-A FORWARD -i eth0 -j OTHER-CHAIN',
      '-A OTHER-CHAIN -p tcp --dport 22 -j ACCEPT',
      'COMMIT',
      '',
    ]);
  });

  it('leaves a dump without our rules unchanged', () => {
    const foreign = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\nCOMMIT\n';
    expect(withoutOwnRules(foreign)).toBe(foreign);
  });
});
