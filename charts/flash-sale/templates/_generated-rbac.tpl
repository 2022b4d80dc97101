{{- /*
flash-sale.operator.rules: what the operator needs in every namespace it watches. The
ClusterRole (all namespaces) and the Role (operator.watchNamespace) both include it, so the
two can never drift. Least privilege: it never creates or deletes a FlashSale (users do;
deletion runs through its finalizer, which it removes with update/patch), and it touches
nothing else but Events in the sale's namespace. Same rules as manifests/rbac/cluster-role.yaml.
*/ -}}
{{- define "flash-sale.operator.rules" -}}
- apiGroups: [flashsale.io]
  resources: [flashsales]
  verbs: [get, list, watch, update, patch]
- apiGroups: [flashsale.io]
  resources: [flashsales/status]
  verbs: [get, update, patch]
- apiGroups: [flashsale.io]
  resources: [flashsales/finalizers]
  verbs: [update]
- apiGroups: ['']
  resources: [events]
  verbs: [create, patch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
