{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "flash-sale.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped prefix of every resource name; component suffixes are appended to it. */}}
{{- define "flash-sale.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's resources: (dict "root" $ "component" "api"). */}}
{{- define "flash-sale.componentName" -}}
{{- printf "%s-%s" (include "flash-sale.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "flash-sale.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component; never change them (Deployment selectors are immutable). */}}
{{- define "flash-sale.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flash-sale.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Full recommended labels of one component's resources. */}}
{{- define "flash-sale.labels" -}}
helm.sh/chart: {{ include "flash-sale.chart" .root }}
{{ include "flash-sale.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: flash-sale
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference: (dict "root" $ "image" .Values.api.image). */}}
{{- define "flash-sale.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{- define "flash-sale.operatorServiceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "flash-sale.componentName" (dict "root" . "component" "operator")) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "flash-sale.jwtSecretName" -}}
{{- default (include "flash-sale.componentName" (dict "root" . "component" "auth")) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "flash-sale.connectionsSecretName" -}}
{{- include "flash-sale.componentName" (dict "root" . "component" "connections") -}}
{{- end -}}

{{/* The connections Secret is only needed when a URL is not taken from an existing Secret. */}}
{{- define "flash-sale.needsConnectionsSecret" -}}
{{- if or (not .Values.redis.existingSecret) (not .Values.postgresql.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "flash-sale.redisUrlEnv" -}}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "flash-sale.connectionsSecretName" .) .Values.redis.existingSecret }}
      key: {{ ternary .Values.redis.existingSecretKey "redis-url" (ne .Values.redis.existingSecret "") }}
- name: REDIS_KEY_PREFIX
  value: {{ .Values.redis.keyPrefix | quote }}
{{- end -}}

{{- define "flash-sale.databaseUrlEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "flash-sale.connectionsSecretName" .) .Values.postgresql.existingSecret }}
      key: {{ ternary .Values.postgresql.existingSecretKey "database-url" (ne .Values.postgresql.existingSecret "") }}
{{- end -}}

{{- define "flash-sale.kafkaEnv" -}}
- name: KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: KAFKA_TOPIC
  value: {{ .Values.kafka.topic | quote }}
{{- end -}}

{{- define "flash-sale.commonEnv" -}}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every component. */}}
{{- define "flash-sale.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* tsx compiles to a cache under /tmp: the root filesystem stays read-only. */}}
{{- define "flash-sale.tmpVolume" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end -}}

{{- define "flash-sale.tmpMount" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{/* The probes of a process serving /healthz and /readyz on the named port. */}}
{{- define "flash-sale.probes" -}}
livenessProbe:
  httpGet: { path: /healthz, port: {{ . }} }
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: {{ . }} }
  periodSeconds: 2
  timeoutSeconds: 2
  failureThreshold: 2
startupProbe:
  httpGet: { path: /healthz, port: {{ . }} }
  periodSeconds: 2
  failureThreshold: 30
{{- end -}}

{{/* The API's storefront URL as the browser sees it. */}}
{{- define "flash-sale.webApiUrl" -}}
{{- if .Values.web.apiUrl -}}
{{- .Values.web.apiUrl -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" (ne .Values.ingress.tlsSecretName "")) .Values.ingress.host -}}
{{- else -}}
http://localhost:8080
{{- end -}}
{{- end -}}

{{/* Refuses settings that would cut graceful shutdown short. */}}
{{- define "flash-sale.validate" -}}
{{- $api := .Values.api -}}
{{- if le (int $api.shutdown.timeoutMs) (int $api.shutdown.readinessDelayMs) -}}
{{- fail (printf "api.shutdown.timeoutMs (%d) must be longer than api.shutdown.readinessDelayMs (%d): the drain happens in between" (int $api.shutdown.timeoutMs) (int $api.shutdown.readinessDelayMs)) -}}
{{- end -}}
{{- if lt (mul (int $api.terminationGracePeriodSeconds) 1000) (add (int $api.shutdown.timeoutMs) 1000) -}}
{{- fail (printf "api.terminationGracePeriodSeconds (%d) must exceed api.shutdown.timeoutMs (%d ms) by at least 1 s, or Kubernetes kills the API mid-drain" (int $api.terminationGracePeriodSeconds) (int $api.shutdown.timeoutMs)) -}}
{{- end -}}
{{- if and .Values.api.autoscaling.enabled (gt (int .Values.api.autoscaling.minReplicas) (int .Values.api.autoscaling.maxReplicas)) -}}
{{- fail "api.autoscaling.minReplicas must not exceed api.autoscaling.maxReplicas" -}}
{{- end -}}
{{- end -}}
