{{- /*
flash-sale.dashboardJson: a dashboard of dashboards/ as JSON. With
monitoring.dashboards.multiCluster the $cluster variable is shown (hide 0); otherwise the
file is served as it is, with $cluster hidden (see docs/observability.md).
Call with (dict "root" $ "file" "dashboards/overview.json").
*/ -}}
{{- define "flash-sale.dashboardJson" -}}
{{- $text := .root.Files.Get .file -}}
{{- if .root.Values.monitoring.dashboards.multiCluster -}}
{{- $dashboard := fromJson $text -}}
{{- range $dashboard.templating.list -}}
{{- if eq .name "cluster" -}}{{- $_ := set . "hide" 0 -}}{{- end -}}
{{- end -}}
{{- toPrettyJson $dashboard -}}
{{- else -}}
{{- $text -}}
{{- end -}}
{{- end -}}
