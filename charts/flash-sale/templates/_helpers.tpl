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

{{/*
Image reference: (dict "root" $ "image" .Values.api.image). A registry (image.registry, else
global.imageRegistry) replaces the registry host of the repository, or is prepended when the
repository names none; a digest wins over the tag; the tag defaults to the chart's appVersion.
*/}}
{{- define "flash-sale.image" -}}
{{- $global := default dict .root.Values.global -}}
{{- $registry := .image.registry | default $global.imageRegistry | default "" | trimSuffix "/" -}}
{{- $repository := .image.repository -}}
{{- if $registry -}}
{{- $first := first (splitList "/" $repository) -}}
{{- if and (gt (len (splitList "/" $repository)) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- $repository = join "/" (rest (splitList "/" $repository)) -}}
{{- end -}}
{{- $repository = printf "%s/%s" $registry $repository -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The chart's deployable components, in the order they are listed everywhere. */}}
{{- define "flash-sale.components" -}}
api relay persister operator web
{{- end -}}

{{/* Whether a component is deployed: (dict "root" $ "component" "relay"). The API always is. */}}
{{- define "flash-sale.componentEnabled" -}}
{{- $v := index .root.Values .component -}}
{{- if or (eq .component "api") $v.enabled -}}true{{- end -}}
{{- end -}}

{{/*
ServiceAccount of a component: (dict "root" $ "component" "api"). With serviceAccount.create
the chart creates `<fullname>-<component>` (or serviceAccount.name); without, the pod runs as
serviceAccount.name, or the namespace's default account when that is empty too.
*/}}
{{- define "flash-sale.serviceAccountName" -}}
{{- $sa := (index .root.Values .component).serviceAccount -}}
{{- if $sa.create -}}
{{- default (include "flash-sale.componentName" .) $sa.name -}}
{{- else -}}
{{- $sa.name -}}
{{- end -}}
{{- end -}}

{{- define "flash-sale.operatorServiceAccountName" -}}
{{- include "flash-sale.serviceAccountName" (dict "root" . "component" "operator") | default "default" -}}
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

{{/* LOG_LEVEL, then extraEnv (every process), then <component>.extraEnv: later entries win. */}}
{{- define "flash-sale.commonEnv" -}}
{{- $v := index .root.Values .component -}}
- name: LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* envFrom of a component's container (<component>.extraEnvFrom), if any. */}}
{{- define "flash-sale.envFrom" -}}
{{- with (index .root.Values .component).extraEnvFrom -}}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Pod template metadata of a component: (dict "root" $ "component" "api" "checksum" $sum).
Labels are the component's plus <component>.podLabels (the selector labels stay the chart's);
annotations are the secrets checksum (rotating a key or URL rolls the pods) plus
<component>.podAnnotations.
*/}}
{{- define "flash-sale.podMetadata" -}}
{{- $v := index .root.Values .component -}}
{{- $selector := include "flash-sale.selectorLabels" . | fromYaml -}}
{{- range $key, $_ := $v.podLabels -}}
{{- if hasKey $selector $key -}}
{{- fail (printf "%s.podLabels.%s: the chart sets this selector label itself; choose another label" $.component $key) -}}
{{- end -}}
{{- end -}}
labels:
  {{- include "flash-sale.labels" . | nindent 2 }}
  {{- with $v.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .checksum $v.podAnnotations }}
annotations:
  {{- with .checksum }}
  checksum/secrets: {{ . }}
  {{- end }}
  {{- with $v.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Pod-level settings of a component: (dict "root" $ "component" "api"): pull secrets, security
context, ServiceAccount, priority class and placement. A topologySpreadConstraints entry
without a labelSelector gets the component's selector labels.
*/}}
{{- define "flash-sale.podSpecCommon" -}}
{{- $v := index .root.Values .component -}}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with include "flash-sale.serviceAccountName" . }}
serviceAccountName: {{ . }}
{{- end }}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.topologySpreadConstraints }}
{{- $matchLabels := include "flash-sale.selectorLabels" $ | fromYaml }}
{{- $constraints := list }}
{{- range . }}
{{- $constraints = append $constraints (ternary . (merge (dict "labelSelector" (dict "matchLabels" $matchLabels)) .) (hasKey . "labelSelector")) }}
{{- end }}
topologySpreadConstraints:
  {{- toYaml $constraints | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Volumes of a component: /tmp (withTmp) and <component>.extraVolumes. */}}
{{- define "flash-sale.volumes" -}}
{{- $v := index .root.Values .component -}}
{{- if or .withTmp $v.extraVolumes -}}
volumes:
  {{- if .withTmp }}
  # tsx compiles to a cache under /tmp: the root filesystem stays read-only.
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
  {{- end }}
  {{- with $v.extraVolumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Volume mounts of a component's container: /tmp (withTmp) and <component>.extraVolumeMounts. */}}
{{- define "flash-sale.volumeMounts" -}}
{{- $v := index .root.Values .component -}}
{{- if or .withTmp $v.extraVolumeMounts -}}
volumeMounts:
  {{- if .withTmp }}
  - name: tmp
    mountPath: /tmp
  {{- end }}
  {{- with $v.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
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
{{- $ingress := .Values.ingress -}}
{{- $route := .Values.httpRoute -}}
{{- if .Values.web.apiUrl -}}
{{- .Values.web.apiUrl -}}
{{- else if and $ingress.enabled $ingress.hosts -}}
{{- $host := first $ingress.hosts -}}
{{- $tls := false -}}
{{- range $ingress.tls -}}{{- if has $host (default list .hosts) -}}{{- $tls = true -}}{{- end -}}{{- end -}}
{{- printf "%s://%s" (ternary "https" "http" $tls) $host -}}
{{- else if and $route.enabled $route.hostnames -}}
{{- printf "https://%s" (first $route.hostnames) -}}
{{- else -}}
http://localhost:8080
{{- end -}}
{{- end -}}

{{/* Refuses settings that would cut graceful shutdown short. */}}
{{- define "flash-sale.validateShutdown" -}}
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

{{/* Refuses a sign-in the API would not honour (docs/helm.md, "Sign-in"). */}}
{{- define "flash-sale.validateAuth" -}}
{{- $auth := .Values.auth -}}
{{- $web := .Values.web -}}
{{- if and $auth.jwksUrl $auth.devLogin -}}
{{- fail "auth.devLogin must be false when auth.jwksUrl is set: dev login issues HS256 tokens, which an API verifying the provider's keys refuses (the API would not start)" -}}
{{- end -}}
{{- if and $auth.jwksUrl (or (not $auth.issuer) (not $auth.audience)) -}}
{{- fail "auth.jwksUrl needs auth.issuer and auth.audience (the iss and aud of the provider's tokens)" -}}
{{- end -}}
{{- if and $web.enabled (eq $web.authMode "dev-login") (not $auth.devLogin) -}}
{{- fail "web.authMode is dev-login but auth.devLogin is false: the storefront's sign-in would answer 404. Set auth.devLogin=true (local clusters only), or web.authMode=oidc with web.oidc.* and auth.jwksUrl, or web.enabled=false" -}}
{{- end -}}
{{- if and $web.enabled (eq $web.authMode "oidc") -}}
{{- if or (not $web.oidc.issuer) (not $web.oidc.clientId) -}}
{{- fail "web.authMode is oidc: set web.oidc.issuer and web.oidc.clientId (docs/identity.md)" -}}
{{- end -}}
{{- if not $auth.jwksUrl -}}
{{- fail "web.authMode is oidc but auth.jwksUrl is empty: the API would refuse the provider's tokens (401). Set auth.jwksUrl, auth.issuer and auth.audience" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Refuses exposure settings that would render an object routing nowhere. */}}
{{- define "flash-sale.validateExposure" -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) -}}
{{- fail "ingress.enabled needs at least one host in ingress.hosts" -}}
{{- end -}}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) -}}
{{- fail "httpRoute.enabled needs httpRoute.parentRefs: the Gateway (and listener) the route attaches to" -}}
{{- end -}}
{{- end -}}

{{/* Every render-time check; auth-secret.yaml includes it, so any `helm template` runs it. */}}
{{- define "flash-sale.validate" -}}
{{- include "flash-sale.validateShutdown" . -}}
{{- include "flash-sale.validateAuth" . -}}
{{- include "flash-sale.validateExposure" . -}}
{{- end -}}
