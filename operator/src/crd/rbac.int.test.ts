import {
  isolatedNames,
  stackStartTimeoutMs,
  connectCluster,
  kubectl,
  mustKubectl,
  type Cluster,
} from '@flashsale/testkit';

const operatorNamespace = 'flashsale-system';
const operatorAccount = `system:serviceaccount:${operatorNamespace}:flash-sale-operator`;

/** One `kubectl auth can-i` question: verb, resource, where, and the subresource if any. */
interface Question {
  readonly verb: string;
  readonly resource: string;
  /** A namespace, or `all` for a cluster-wide question. */
  readonly namespace: string;
  readonly subresource?: string;
}

function canIArgs(question: Question): string[] {
  const where =
    question.namespace === 'all' ? ['--all-namespaces'] : ['--namespace', question.namespace];
  const subresource = question.subresource ? [`--subresource=${question.subresource}`] : [];
  return [
    'auth',
    'can-i',
    `--as=${operatorAccount}`,
    question.verb,
    question.resource,
    ...where,
    ...subresource,
  ];
}

function describeQuestion(question: Question): string {
  const sub = question.subresource ? `/${question.subresource}` : '';
  return `${question.verb} ${question.resource}${sub} in ${question.namespace}`;
}

describe('rbac: the flash-sale-operator ServiceAccount of manifests/rbac', () => {
  // A namespace of sales the operator watches; can-i needs no namespace to exist.
  const salesNamespace = isolatedNames('rbac').namespace;
  let cluster: Cluster;

  /** Asks the real API server (impersonating the operator) and returns the questions answered wrongly. */
  async function wronglyAnswered(questions: readonly Question[], expected: boolean) {
    const answers = await Promise.all(
      questions.map(async (question) => {
        const result = await kubectl(cluster, canIArgs(question));
        // can-i exits 0 for yes and 1 for no; anything else is a broken question.
        if (result.exitCode > 1) throw new Error(`${describeQuestion(question)}: ${result.stderr}`);
        return { question, allowed: result.exitCode === 0 };
      }),
    );
    return answers
      .filter((answer) => answer.allowed !== expected)
      .map((answer) => describeQuestion(answer.question));
  }

  beforeAll(async () => {
    cluster = await connectCluster();
    // The base holds no Namespace (deleting it must not delete one), so its namespace comes
    // first. Its cluster-wide objects carry the chart's names, so they are deleted afterwards:
    // left behind, they would stop a `helm install flash-sale` on the same API server.
    const created = await kubectl(cluster, ['create', 'namespace', operatorNamespace]);
    if (created.exitCode !== 0 && !created.stderr.includes('AlreadyExists')) {
      throw new Error(`kubectl create namespace ${operatorNamespace}: ${created.stderr}`);
    }
    await mustKubectl(cluster, [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=flashsale-tests',
      '-k',
      'manifests/rbac',
    ]);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await mustKubectl(cluster, [
      'delete',
      '-k',
      'manifests/rbac',
      '--ignore-not-found',
      '--wait=false',
    ]);
  }, 60_000);

  it('may do everything the operator needs', async () => {
    const flashsales = 'flashsales.flashsale.io';
    const needed: Question[] = [
      ...['get', 'list', 'watch', 'update', 'patch'].map((verb) => ({
        verb,
        resource: flashsales,
        namespace: salesNamespace,
      })),
      ...['list', 'watch'].map((verb) => ({ verb, resource: flashsales, namespace: 'all' })),
      ...['get', 'update', 'patch'].map((verb) => ({
        verb,
        resource: flashsales,
        namespace: salesNamespace,
        subresource: 'status',
      })),
      {
        verb: 'update',
        resource: flashsales,
        namespace: salesNamespace,
        subresource: 'finalizers',
      },
      ...['create', 'patch'].flatMap((verb) => [
        { verb, resource: 'events', namespace: salesNamespace },
        { verb, resource: 'events.events.k8s.io', namespace: salesNamespace },
      ]),
      ...['get', 'create', 'update'].map((verb) => ({
        verb,
        resource: 'leases.coordination.k8s.io',
        namespace: operatorNamespace,
      })),
      ...['get', 'list', 'watch', 'patch'].flatMap((verb) => [
        { verb, resource: 'horizontalpodautoscalers.autoscaling', namespace: operatorNamespace },
        { verb, resource: 'deployments.apps', namespace: operatorNamespace },
      ]),
    ];
    expect(await wronglyAnswered(needed, true)).toEqual([]);
  });

  it('may do nothing else that matters', async () => {
    const refused: Question[] = [
      { verb: 'create', resource: 'flashsales.flashsale.io', namespace: salesNamespace },
      { verb: 'delete', resource: 'flashsales.flashsale.io', namespace: salesNamespace },
      { verb: 'deletecollection', resource: 'flashsales.flashsale.io', namespace: salesNamespace },
      {
        verb: 'patch',
        resource: 'flashsales.flashsale.io',
        namespace: salesNamespace,
        subresource: 'finalizers',
      },
      { verb: 'create', resource: 'secrets', namespace: salesNamespace },
      { verb: 'list', resource: 'secrets', namespace: operatorNamespace },
      { verb: 'get', resource: 'secrets', namespace: salesNamespace },
      { verb: 'create', resource: 'pods', namespace: operatorNamespace },
      { verb: 'delete', resource: 'deployments.apps', namespace: operatorNamespace },
      { verb: 'create', resource: 'deployments.apps', namespace: operatorNamespace },
      // The capacity and leader-election grants stop at the operator's own namespace.
      { verb: 'patch', resource: 'deployments.apps', namespace: salesNamespace },
      {
        verb: 'patch',
        resource: 'horizontalpodautoscalers.autoscaling',
        namespace: salesNamespace,
      },
      { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: salesNamespace },
      { verb: 'delete', resource: 'leases.coordination.k8s.io', namespace: operatorNamespace },
      { verb: 'delete', resource: 'events', namespace: salesNamespace },
      {
        verb: 'update',
        resource: 'customresourcedefinitions.apiextensions.k8s.io',
        namespace: 'all',
      },
      {
        verb: 'create',
        resource: 'clusterrolebindings.rbac.authorization.k8s.io',
        namespace: 'all',
      },
    ];
    expect(await wronglyAnswered(refused, false)).toEqual([]);
  });
});
