import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  VersionApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { eventually, isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

function widgetDefinition(group: string): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: { size: { type: 'integer', minimum: 1 } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

describe('local stack: kube-apiserver through @kubernetes/client-node', () => {
  const names = isolatedNames('kube');
  const group = `${names.id}.flashsale.test`;
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  let extensions: ApiextensionsV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    const { KUBECONFIG } = await useStack();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(KUBECONFIG);
    core = kubeConfig.makeApiClient(CoreV1Api);
    extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    custom = kubeConfig.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: names.namespace } } });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await extensions
      .deleteCustomResourceDefinition({ name: `widgets.${group}` })
      .catch(() => undefined);
    await core.deleteNamespace({ name: names.namespace });
  });

  it('reports the Kubernetes version it was built from', async () => {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(version.gitTreeState).toBe('clean');
  });

  it('creates an object and reads it back', async () => {
    await core.createNamespacedConfigMap({
      namespace: names.namespace,
      body: { metadata: { name: 'sale-settings' }, data: { stock: '1000' } },
    });
    const read = await core.readNamespacedConfigMap({
      namespace: names.namespace,
      name: 'sale-settings',
    });
    expect(read.data).toEqual({ stock: '1000' });
  });

  it('serves a CustomResourceDefinition once established, with its schema enforced', async () => {
    await extensions.createCustomResourceDefinition({ body: widgetDefinition(group) });
    await eventually('the CRD to be Established', async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: `widgets.${group}` });
      return crd.status?.conditions?.find((c) => c.type === 'Established' && c.status === 'True');
    });
    const target = { group, version: 'v1', namespace: names.namespace, plural: 'widgets' };
    const widget = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 3 },
    };
    await eventually('the new resource to be served', () =>
      custom.createNamespacedCustomObject({ ...target, body: widget }),
    );

    const read = (await custom.getNamespacedCustomObject({ ...target, name: 'w1' })) as {
      spec: { size: number };
    };
    expect(read.spec.size).toBe(3);

    const invalid = { ...widget, metadata: { name: 'w2' }, spec: { size: 0 } };
    const rejected = await custom.createNamespacedCustomObject({ ...target, body: invalid }).then(
      () => undefined,
      (error: { code?: number; body?: string }) => error,
    );
    expect(rejected?.code).toBe(422);
    expect(String(rejected?.body)).toContain('spec.size');
  });
});
