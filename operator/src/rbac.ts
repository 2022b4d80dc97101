import { flashSaleGroup, flashSalePlural } from '../api/v1alpha1/index.ts';

/**
 * Every Kubernetes permission the operator needs, declared once, next to the code that uses
 * it. `npm run generate` writes it into manifests/rbac/ and into the chart's
 * templates/_generated-rbac.tpl (operator/src/crd/rbac-manifests.ts); nothing else lists
 * rules. Least privilege: the operator never creates or deletes a FlashSale (users do;
 * deletion runs through its finalizer, which it removes with update/patch), never creates or
 * deletes the fleet (the chart or kustomize owns it), and reads no Secret.
 */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Why the operator needs it; becomes a comment in the generated YAML. */
  readonly why: string;
}

export interface OperatorRbac {
  /** In every namespace it watches (a ClusterRole; a Role when it watches one namespace). */
  readonly sales: readonly PolicyRule[];
  /** Its own namespace only: the leader-election Lease (LEASE_NAME). */
  readonly leaderElection: readonly PolicyRule[];
  /** The fleet's namespace only (FLEET_NAMESPACE, default its own): the API replica floor. */
  readonly capacity: readonly PolicyRule[];
}

export const operatorRbac: OperatorRbac = {
  sales: [
    {
      apiGroups: [flashSaleGroup],
      resources: [flashSalePlural],
      verbs: ['get', 'list', 'watch', 'update', 'patch'],
      why: 'Watches FlashSales and manages its finalizer on them (informer.ts, reconciler.ts).',
    },
    {
      apiGroups: [flashSaleGroup],
      resources: [`${flashSalePlural}/status`],
      verbs: ['get', 'update', 'patch'],
      why: 'Writes status through the status subresource only (flash-sale-api.ts).',
    },
    {
      apiGroups: [flashSaleGroup],
      resources: [`${flashSalePlural}/finalizers`],
      verbs: ['update'],
      why: 'blockOwnerDeletion on objects a FlashSale owns, under OwnerReferencesPermissionEnforcement.',
    },
    {
      apiGroups: [''],
      resources: ['events'],
      verbs: ['create', 'patch'],
      why: "Events about a sale, in the sale's namespace (events.ts); client libraries use either API.",
    },
    {
      apiGroups: ['events.k8s.io'],
      resources: ['events'],
      verbs: ['create', 'patch'],
      why: 'The same Events through events.k8s.io.',
    },
  ],
  leaderElection: [
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'create', 'update'],
      why: 'One Lease, so that one replica leads (leader-election.ts).',
    },
  ],
  capacity: [
    {
      apiGroups: ['autoscaling'],
      resources: ['horizontalpodautoscalers'],
      verbs: ['get', 'list', 'watch', 'patch'],
      why: "Raises the API fleet's HPA minReplicas around a sale (fleet-scaler.ts).",
    },
    {
      apiGroups: ['apps'],
      resources: ['deployments'],
      verbs: ['get', 'list', 'watch', 'patch'],
      why: "Or the Deployment's replicas when the fleet has no HPA (fleet-scaler.ts).",
    },
  ],
};
