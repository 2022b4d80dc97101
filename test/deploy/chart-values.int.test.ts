import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';
import { chartPath, kubeVersion, runTool } from './deploy-tools.ts';
import {
  ApiServer,
  components,
  containerOf,
  find,
  helmTemplate,
  objectsOf,
  podTemplateOf,
  release,
  render,
  setJson,
  stackStartTimeoutMs,
} from './chart-testing.ts';

const schemaError =
  "values don't meet the specifications of the schema(s) in the following chart(s):\nflash-sale:";

/** Every pod setting of issue #13, distinct per component so that nothing leaks across. */
function podSettings(component: string): Record<string, unknown> {
  return {
    [`${component}.nodeSelector`]: { pool: `${component}-pool` },
    [`${component}.tolerations`]: [
      { key: 'dedicated', operator: 'Equal', value: component, effect: 'NoSchedule' },
    ],
    [`${component}.affinity`]: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: [`${component}-zone`] }] },
          ],
        },
      },
    },
    [`${component}.topologySpreadConstraints`]: [
      {
        maxSkew: 2,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
      },
    ],
    [`${component}.priorityClassName`]: `${component}-critical`,
    [`${component}.podLabels`]: { team: `${component}-team` },
    [`${component}.podAnnotations`]: { 'example.com/owner': component },
    [`${component}.extraEnv`]: [{ name: 'EXTRA_SETTING', value: component }],
    [`${component}.extraEnvFrom`]: [{ configMapRef: { name: `${component}-env` } }],
    [`${component}.extraVolumes`]: [{ name: 'extra', configMap: { name: `${component}-files` } }],
    [`${component}.extraVolumeMounts`]: [{ name: 'extra', mountPath: `/etc/${component}` }],
    [`${component}.serviceAccount`]: {
      create: true,
      name: `${component}-identity`,
      annotations: { 'iam.example.com/role': `${component}-role` },
    },
  };
}

const allPodSettings = Object.assign({}, ...components.map(podSettings)) as Record<string, unknown>;

describe('deploy: chart values (schema, pod settings, images, sign-in defaults)', () => {
  const apiserver = new ApiServer();

  beforeAll(async () => {
    await apiserver.start();
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await apiserver.deleteNamespace();
  });

  describe('schema', () => {
    it('accepts numeric CPU and memory, and the kube-apiserver takes the rendered quantities', async () => {
      const objects = await apiserver.renderAndDryRun(
        setJson({
          'api.resources.requests.cpu': 1,
          'api.resources.requests.memory': 536870912,
          'api.resources.limits.cpu': 1.5,
          'web.resources.requests.cpu': 0.1,
        }),
      );
      expect(containerOf(objects, 'api').resources).toEqual({
        requests: { cpu: 1, memory: 536870912 },
        limits: { cpu: 1.5, memory: '512Mi' },
      });
      expect(containerOf(objects, 'web').resources).toEqual({
        requests: { cpu: 0.1, memory: '48Mi' },
        limits: { memory: '128Mi' },
      });
    });

    it('stays strict: unknown keys and malformed quantities are refused by name', async () => {
      const cases: [string[], string][] = [
        [
          ['--set', 'api.image.flavour=x'],
          "- at '/api/image': additional properties 'flavour' not allowed",
        ],
        [
          ['--set', 'relay.podLabel.a=b'],
          "- at '/relay': additional properties 'podLabel' not allowed",
        ],
        [['--set', 'api.resources.requests.cpu=lots'], "- at '/api/resources/requests/cpu'"],
        [['--set', 'web.image.digest=latest'], "- at '/web/image/digest'"],
        [
          ['--set', 'ingress.host=shop.example.com'],
          "- at '/ingress': additional properties 'host' not allowed",
        ],
      ];
      for (const [args, message] of cases) {
        const result = await helmTemplate(args);
        expect(result.exitCode).withContext(args.join(' ')).toBe(1);
        expect(result.stderr).withContext(args.join(' ')).toContain(schemaError);
        expect(result.stderr).withContext(args.join(' ')).toContain(message);
      }
    });

    it('works as a subchart: a parent chart passes global (imageRegistry reaches every image)', async () => {
      const parent = await mkdtemp(join(tmpdir(), 'flashsale-parent-'));
      try {
        await writeFile(
          join(parent, 'Chart.yaml'),
          'apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: flash-sale\n    version: 0.1.0\n',
        );
        await writeFile(
          join(parent, 'values.yaml'),
          'global:\n  imageRegistry: mirror.example.com\n  storageClass: fast\n',
        );
        await cp(join(projectRoot, chartPath), join(parent, 'charts', 'flash-sale'), {
          recursive: true,
        });
        const result = await runTool('helm', [
          'template',
          'shop',
          parent,
          '--kube-version',
          kubeVersion,
        ]);
        expect(result.exitCode).withContext(result.stderr).toBe(0);
        const images = objectsOf(result.stdout)
          .filter((object) => object.kind === 'Deployment')
          .map(
            (object) =>
              (object.spec as { template: { spec: { containers: { image: string }[] } } }).template
                .spec.containers[0]?.image,
          )
          .sort();
        expect(images).toEqual(
          ['api', 'operator', 'persister', 'relay', 'web'].map(
            (name) => `mirror.example.com/flashsale/${name}:0.1.0`,
          ),
        );
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    });
  });

  describe('pod settings', () => {
    it('reach the pods of every component, and the kube-apiserver accepts them', async () => {
      const objects = await apiserver.renderAndDryRun(setJson(allPodSettings));
      for (const component of components) {
        const template = podTemplateOf(objects, component);
        const spec = template.spec;
        const container = containerOf(objects, component);
        const context = component;
        expect(spec.nodeSelector)
          .withContext(context)
          .toEqual({ pool: `${component}-pool` });
        expect(spec.tolerations)
          .withContext(context)
          .toEqual([
            { key: 'dedicated', operator: 'Equal', value: component, effect: 'NoSchedule' },
          ]);
        expect(JSON.stringify(spec.affinity)).withContext(context).toContain(`${component}-zone`);
        expect(spec.topologySpreadConstraints)
          .withContext(context)
          .toEqual([
            {
              maxSkew: 2,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'flash-sale',
                  'app.kubernetes.io/instance': release,
                  'app.kubernetes.io/component': component,
                },
              },
            },
          ]);
        expect(spec.priorityClassName).withContext(context).toBe(`${component}-critical`);
        expect(template.metadata.labels['team']).withContext(context).toBe(`${component}-team`);
        expect(template.metadata.annotations?.['example.com/owner'])
          .withContext(context)
          .toBe(component);
        expect(spec.serviceAccountName).withContext(context).toBe(`${component}-identity`);
        expect(container.env?.at(-1))
          .withContext(context)
          .toEqual({ name: 'EXTRA_SETTING', value: component });
        expect(container.envFrom)
          .withContext(context)
          .toEqual([{ configMapRef: { name: `${component}-env` } }]);
        expect(spec.volumes?.map((volume) => volume.name))
          .withContext(context)
          .toContain('extra');
        expect(container.volumeMounts)
          .withContext(context)
          .toContain({ name: 'extra', mountPath: `/etc/${component}` });
        const account = find(objects, 'ServiceAccount', `${component}-identity`);
        expect(account.metadata.annotations)
          .withContext(context)
          .toEqual({ 'iam.example.com/role': `${component}-role` });
      }
    });

    it('keep the selector labels the chart owns and refuse a pod label that would change them', async () => {
      const result = await helmTemplate(
        setJson({ 'relay.podLabels': { 'app.kubernetes.io/component': 'x' } }),
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'relay.podLabels.app.kubernetes.io/component: the chart sets this selector label itself; choose another label',
      );
    });

    it('default to the platform account only for the operator, and spread the API across nodes', async () => {
      const objects = await render();
      const accounts = objects.filter((object) => object.kind === 'ServiceAccount');
      expect(accounts.map((object) => object.metadata.name)).toEqual([
        `${release}-flash-sale-operator`,
      ]);
      for (const component of components) {
        const expected = component === 'operator' ? `${release}-flash-sale-operator` : undefined;
        expect(podTemplateOf(objects, component).spec.serviceAccountName)
          .withContext(component)
          .toBe(expected);
      }
      expect(podTemplateOf(objects, 'api').spec.topologySpreadConstraints).toEqual([
        jasmine.objectContaining({
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
        }),
      ]);
      expect(podTemplateOf(objects, 'relay').spec.topologySpreadConstraints).toBeUndefined();
    });
  });

  describe('images', () => {
    const imageOf = async (
      args: Record<string, unknown>,
      component: (typeof components)[number] = 'api',
    ) => containerOf(await render(setJson(args)), component).image;
    const digest = `sha256:${'a'.repeat(64)}`;

    it('default to the appVersion tag of each repository', async () => {
      const objects = await render();
      expect(components.map((component) => containerOf(objects, component).image)).toEqual(
        components.map((component) => `ghcr.io/flashsale/${component}:0.1.0`),
      );
    });

    it('take a registry, a tag and a digest per component; the digest wins over the tag', async () => {
      expect(await imageOf({ 'api.image.tag': '1.2.3' })).toBe('ghcr.io/flashsale/api:1.2.3');
      expect(await imageOf({ 'api.image.tag': '1.2.3', 'api.image.digest': digest })).toBe(
        `ghcr.io/flashsale/api@${digest}`,
      );
      expect(await imageOf({ 'relay.image.registry': 'registry.internal:5000' }, 'relay')).toBe(
        'registry.internal:5000/flashsale/relay:0.1.0',
      );
      expect(
        await imageOf(
          { 'web.image.registry': 'r.example.com', 'web.image.repository': 'shop/web' },
          'web',
        ),
      ).toBe('r.example.com/shop/web:0.1.0');
    });

    it('take global.imageRegistry for every image that sets no registry of its own', async () => {
      const objects = await render(
        setJson({
          'global.imageRegistry': 'mirror.example.com',
          'persister.image.registry': 'own.example.com',
        }),
      );
      expect(containerOf(objects, 'api').image).toBe('mirror.example.com/flashsale/api:0.1.0');
      expect(containerOf(objects, 'persister').image).toBe(
        'own.example.com/flashsale/persister:0.1.0',
      );
      const testPod = objects.find((object) => object.kind === 'Pod');
      expect(JSON.stringify(testPod)).toContain(
        '"image":"mirror.example.com/curlimages/curl:8.11.1"',
      );
    });
  });

  describe('sign-in defaults', () => {
    it('work together: the storefront signs in with dev login, and the API serves it', async () => {
      const objects = await apiserver.renderAndDryRun([]);
      const web = containerOf(objects, 'web').env ?? [];
      const api = containerOf(objects, 'api').env ?? [];
      expect(web.find((entry) => entry.name === 'STOREFRONT_AUTH_MODE')?.value).toBe('dev-login');
      expect(api.find((entry) => entry.name === 'AUTH_DEV_LOGIN')?.value).toBe('true');
    });

    it('refuse, by name, a sign-in the API would not honour', async () => {
      const oidc = {
        'web.authMode': 'oidc',
        'web.oidc.issuer': 'https://login.example.com',
        'web.oidc.clientId': 'storefront',
      };
      const provider = {
        'auth.devLogin': false,
        'auth.jwksUrl': 'https://login.example.com/jwks',
        'auth.issuer': 'https://login.example.com',
        'auth.audience': 'https://shop.example.com/api',
      };
      const cases: [Record<string, unknown>, string][] = [
        [
          { 'auth.devLogin': false },
          "web.authMode is dev-login but auth.devLogin is false: the storefront's sign-in would answer 404. Set auth.devLogin=true (local clusters only), or web.authMode=oidc with web.oidc.* and auth.jwksUrl, or web.enabled=false",
        ],
        [
          { ...provider, 'auth.devLogin': true, ...oidc },
          'auth.devLogin must be false when auth.jwksUrl is set',
        ],
        [
          { ...oidc, 'auth.devLogin': false },
          "web.authMode is oidc but auth.jwksUrl is empty: the API would refuse the provider's tokens (401)",
        ],
        [
          { ...provider, 'web.authMode': 'oidc' },
          'web.authMode is oidc: set web.oidc.issuer and web.oidc.clientId',
        ],
        [
          { ...provider, 'auth.audience': '', 'web.enabled': false },
          'auth.jwksUrl needs auth.issuer and auth.audience',
        ],
      ];
      for (const [values, message] of cases) {
        const result = await helmTemplate(setJson(values));
        expect(result.exitCode).withContext(message).toBe(1);
        expect(result.stderr).withContext(JSON.stringify(values)).toContain(message);
      }
      // The consistent variants render.
      for (const values of [
        { ...provider, ...oidc },
        { 'auth.devLogin': false, 'web.enabled': false },
      ]) {
        const result = await helmTemplate(setJson(values));
        expect(result.exitCode).withContext(result.stderr).toBe(0);
      }
    });
  });
});
