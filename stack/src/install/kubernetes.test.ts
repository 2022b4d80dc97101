import { kubernetesVersionLdflags, kubernetesWrapperGoMod, stagingReplaces } from './kubernetes.ts';

const excerpt = `module k8s.io/kubernetes

go 1.26.0

require (
	go.etcd.io/etcd/client/v3 v3.6.8
	k8s.io/api v0.0.0
	k8s.io/apiserver v0.0.0
	k8s.io/kube-openapi v0.0.0-20260317180543-43fb72c5454a
	k8s.io/utils v0.0.0-20260210185600-b8788abfbbc2
)

require (
	k8s.io/cri-streaming v0.0.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
)
`;

describe('kubernetes wrapper module', () => {
  it('replaces exactly the staging modules required at v0.0.0 with the matching v0.N release', () => {
    expect(stagingReplaces(excerpt, '1.36.3')).toEqual([
      'k8s.io/api => k8s.io/api v0.36.3',
      'k8s.io/apiserver => k8s.io/apiserver v0.36.3',
      'k8s.io/cri-streaming => k8s.io/cri-streaming v0.36.3',
    ]);
  });

  it('writes a go.mod that requires the release and carries the replaces', () => {
    const goMod = kubernetesWrapperGoMod(excerpt, '1.36.3');
    expect(goMod).toContain('require k8s.io/kubernetes v1.36.3\n');
    expect(goMod).toContain('\tk8s.io/apiserver => k8s.io/apiserver v0.36.3\n');
    expect(goMod).not.toContain('./staging');
  });

  it('refuses a go.mod without staging modules instead of building something else', () => {
    expect(() => kubernetesWrapperGoMod('module x\n', '1.36.3')).toThrowError(/no staging modules/);
  });

  it('stamps the real version into both version packages', () => {
    const flags = kubernetesVersionLdflags('1.36.3', '2026-07-22T18:07:38Z');
    expect(flags).toContain('-X k8s.io/component-base/version.gitVersion=v1.36.3');
    expect(flags).toContain('-X k8s.io/component-base/version.gitMinor=36');
    expect(flags).toContain('-X k8s.io/client-go/pkg/version.gitVersion=v1.36.3');
    expect(flags).toContain('-X k8s.io/client-go/pkg/version.buildDate=2026-07-22T18:07:38Z');
  });
});
