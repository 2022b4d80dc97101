import {
  ApiServer,
  containerOf,
  find,
  helmTemplate,
  release,
  render,
  setJson,
  stackStartTimeoutMs,
} from './chart-testing.ts';

interface IngressSpec {
  readonly ingressClassName?: string;
  readonly tls?: { secretName: string; hosts: string[] }[];
  readonly rules: {
    host: string;
    http: {
      paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[];
    };
  }[];
}

interface HttpRouteSpec {
  readonly parentRefs: Record<string, string>[];
  readonly hostnames?: string[];
  readonly rules: {
    matches: { path: { type: string; value: string } }[];
    backendRefs: { name: string; port: number }[];
  }[];
}

const api = `${release}-flash-sale-api`;
const web = `${release}-flash-sale-web`;

function storefrontApiUrl(objects: Awaited<ReturnType<typeof render>>): string | undefined {
  return containerOf(objects, 'web').env?.find((entry) => entry.name === 'STOREFRONT_API_URL')
    ?.value;
}

describe('deploy: chart Ingress and Gateway API HTTPRoute', () => {
  const apiserver = new ApiServer();

  beforeAll(async () => {
    await apiserver.start();
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await apiserver.deleteNamespace();
  });

  it('routes every ingress host to the API and the storefront, with the given TLS, on the kube-apiserver', async () => {
    const objects = await apiserver.renderAndDryRun(
      setJson({
        'ingress.enabled': true,
        'ingress.className': 'nginx',
        'ingress.hosts': ['shop.example.com', 'www.shop.example.com'],
        'ingress.tls': [
          { secretName: 'shop-tls', hosts: ['shop.example.com', 'www.shop.example.com'] },
        ],
      }),
    );
    const spec = find(objects, 'Ingress', `${release}-flash-sale`).spec as unknown as IngressSpec;
    expect(spec.ingressClassName).toBe('nginx');
    expect(spec.tls).toEqual([
      { secretName: 'shop-tls', hosts: ['shop.example.com', 'www.shop.example.com'] },
    ]);
    expect(
      spec.rules.map((rule) => [
        rule.host,
        rule.http.paths.map((path) => `${path.path}->${path.backend.service.name}`),
      ]),
    ).toEqual([
      ['shop.example.com', [`/api->${api}`, `/->${web}`]],
      ['www.shop.example.com', [`/api->${api}`, `/->${web}`]],
    ]);
    expect(storefrontApiUrl(objects)).toBe('https://shop.example.com');
  });

  it('lets the storefront call the first host over http when no TLS entry covers it', async () => {
    const objects = await render(
      setJson({
        'ingress.enabled': true,
        'ingress.hosts': ['plain.example.com', 'secure.example.com'],
        'ingress.tls': [{ secretName: 'secure-tls', hosts: ['secure.example.com'] }],
      }),
    );
    expect(storefrontApiUrl(objects)).toBe('http://plain.example.com');
  });

  it('refuses an Ingress without hosts and an HTTPRoute without a Gateway', async () => {
    const noHosts = await helmTemplate(setJson({ 'ingress.enabled': true, 'ingress.hosts': [] }));
    expect(noHosts.exitCode).toBe(1);
    expect(noHosts.stderr).toContain('ingress.enabled needs at least one host in ingress.hosts');
    const noParent = await helmTemplate(setJson({ 'httpRoute.enabled': true }));
    expect(noParent.exitCode).toBe(1);
    expect(noParent.stderr).toContain(
      'httpRoute.enabled needs httpRoute.parentRefs: the Gateway (and listener) the route attaches to',
    );
  });

  // No Gateway API CRD ships in this repository, so the HTTPRoute is checked by its shape;
  // the Services it points at are checked on the kube-apiserver.
  it('renders an HTTPRoute to the API and storefront Services and ports that the chart renders', async () => {
    const values = setJson({
      'httpRoute.enabled': true,
      'httpRoute.parentRefs': [{ name: 'public', namespace: 'gateway', sectionName: 'https' }],
      'httpRoute.hostnames': ['shop.example.com'],
      'httpRoute.labels': { exposure: 'public' },
      'api.service.port': 8081,
    });
    const objects = await render(values);
    const route = find(objects, 'HTTPRoute', `${release}-flash-sale`);
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.labels?.['exposure']).toBe('public');
    const spec = route.spec as unknown as HttpRouteSpec;
    expect(spec.parentRefs).toEqual([
      { name: 'public', namespace: 'gateway', sectionName: 'https' },
    ]);
    expect(spec.hostnames).toEqual(['shop.example.com']);
    expect(spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ name: api, port: 8081 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: web, port: 80 }],
      },
    ]);
    const ports = (name: string) =>
      (find(objects, 'Service', name).spec as { ports: { port: number }[] }).ports.map(
        (port) => port.port,
      );
    expect(ports(api)).toEqual([8081]);
    expect(ports(web)).toEqual([80]);
    expect(storefrontApiUrl(objects)).toBe('https://shop.example.com');

    const others = await helmTemplate([...values, '--skip-tests']);
    const withoutRoute = others.stdout
      .split(/^---$/m)
      .filter((document) => !document.includes('kind: HTTPRoute'))
      .join('---');
    expect(await apiserver.dryRun(withoutRoute)).toContain(
      `service/${api} serverside-applied (server dry run)`,
    );
  });
});
