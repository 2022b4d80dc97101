{{/*
Generated from operator/src/rbac.ts by operator/src/crd/rbac-manifests.ts.
Do not edit; regenerate with: npm run generate
"flash-sale.operator.rules": in every namespace the operator watches (ClusterRole, or a Role
in operator.watchNamespace). The other two: its Lease and the API fleet, release namespace.
Use: rules: {{- include "flash-sale.operator.rules" . | nindent 2 }}
*/}}
{{- define "flash-sale.operator.rules" -}}
# Watches FlashSales and manages its finalizer on them (informer.ts, reconciler.ts).
- apiGroups: [flashsale.io]
  resources: [flashsales]
  verbs: [get, list, watch, update, patch]
# Writes status through the status subresource only (flash-sale-api.ts).
- apiGroups: [flashsale.io]
  resources: [flashsales/status]
  verbs: [get, update, patch]
# blockOwnerDeletion on objects a FlashSale owns, under OwnerReferencesPermissionEnforcement.
- apiGroups: [flashsale.io]
  resources: [flashsales/finalizers]
  verbs: [update]
# Events about a sale, in the sale's namespace (events.ts); client libraries use either API.
- apiGroups: ['']
  resources: [events]
  verbs: [create, patch]
# The same Events through events.k8s.io.
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
{{- define "flash-sale.operator.leaderElectionRules" -}}
# One Lease, so that one replica leads (leader-election.ts).
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
{{- end -}}
{{- define "flash-sale.operator.capacityRules" -}}
# Raises the API fleet's HPA minReplicas around a sale (fleet-scaler.ts).
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, patch]
# Or the Deployment's replicas when the fleet has no HPA (fleet-scaler.ts).
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, patch]
{{- end -}}
