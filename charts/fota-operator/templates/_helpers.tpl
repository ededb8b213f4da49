{{/*
The prefix of every object's name, "fota-operator" like config/default's namePrefix, whatever the
release is called: the chart installs cluster-wide objects (the CRD, ClusterRoles, the webhook
configuration), so a cluster holds one release of it, and its objects keep the names of the
objects `make deploy` creates.
*/}}
{{- define "fota-operator.name" -}}
{{ .Chart.Name }}
{{- end }}

{{/* The labels of every object. */}}
{{- define "fota-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "fota-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The labels of the manager's pods, which the Deployment, the PodDisruptionBudget and the Services
select. A Deployment's selector cannot change, so neither can these.
*/}}
{{- define "fota-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fota-operator.name" . }}
control-plane: controller-manager
{{- end }}

{{- define "fota-operator.serviceAccountName" -}}
{{ include "fota-operator.name" . }}-controller-manager
{{- end }}

{{- define "fota-operator.webhookServiceName" -}}
{{ include "fota-operator.name" . }}-webhook-service
{{- end }}

{{- define "fota-operator.metricsServiceName" -}}
{{ include "fota-operator.name" . }}-controller-manager-metrics-service
{{- end }}

{{- define "fota-operator.issuerName" -}}
{{ include "fota-operator.name" . }}-selfsigned-issuer
{{- end }}

{{/* Where the manager finds the certificate of its metrics server (--metrics-cert-path). */}}
{{- define "fota-operator.metricsCertPath" -}}
/tmp/k8s-metrics-server/metrics-certs
{{- end }}

{{/*
The manager's arguments: those that the chart's objects depend on (addresses, the metrics
certificate, leader election, the watched namespaces), then .Values.flags in the order of their
names.
*/}}
{{- define "fota-operator.args" -}}
{{- if .Values.metrics.enabled }}
- --metrics-bind-address=:8443
{{- end }}
{{- if .Values.leaderElection.enabled }}
- --leader-elect
{{- end }}
- --health-probe-bind-address=:8081
{{- if .Values.metrics.enabled }}
- --metrics-cert-path={{ include "fota-operator.metricsCertPath" . }}
{{- end }}
{{- with .Values.watchNamespaces }}
- --watch-namespaces={{ join "," . }}
{{- end }}
{{- range $name, $value := .Values.flags }}
- {{ printf "--%s=%s" $name (include "fota-operator.flagValue" $value) | quote }}
{{- end }}
{{- end }}

{{/*
A flag's value as the manager parses it. Numbers of a values file arrive as float64, which
prints 1000000 as 1e+06; a whole number is printed as an integer.
*/}}
{{- define "fota-operator.flagValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}
{{- int64 . }}
{{- else }}
{{- . }}
{{- end }}
{{- end }}

{{/* Refuses combinations of values that would deploy an operator that cannot work. */}}
{{- define "fota-operator.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicas: %d replicas need leaderElection.enabled: true, or every replica would reconcile and push each change to ThingSpace" (int .Values.replicas)) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled: needs metrics.enabled: true, the endpoint it scrapes" }}
{{- end }}
{{- end }}
