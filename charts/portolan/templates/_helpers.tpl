{{/* Names: <release>-portolan unless the release name already says portolan; 63 characters at most. */}}
{{- define "portolan.fullname" -}}
{{- if contains "portolan" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-portolan" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Labels of every object: the chart's own win over commonLabels (the schema also refuses
commonLabels that would shadow them), so selectors always match.
*/}}
{{- define "portolan.labels" -}}
{{- $own := dict "app.kubernetes.io/name" "portolan" "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/version" .Chart.AppVersion "app.kubernetes.io/managed-by" .Release.Service "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_") -}}
{{- toYaml (merge $own (deepCopy (default (dict) .Values.commonLabels))) -}}
{{- end -}}

{{/* The labels of one component's objects (root, component, and optional extra labels, which never win). */}}
{{- define "portolan.componentLabels" -}}
{{- $labels := fromYaml (include "portolan.labels" .root) -}}
{{- $_ := set $labels "app.kubernetes.io/component" .component -}}
{{- toYaml (merge $labels (deepCopy (default (dict) .extra))) -}}
{{- end -}}

{{/* Selector labels of one component (operator or scanner): stable across upgrades. */}}
{{- define "portolan.selectorLabels" -}}
app.kubernetes.io/name: portolan
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "portolan.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "portolan.operatorServiceAccount" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (printf "%s-operator" (include "portolan.fullname" .)) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "portolan.scannerServiceAccount" -}}
{{- if .Values.scanner.serviceAccount.create -}}
{{- default (printf "%s-scanner" (include "portolan.fullname" .)) .Values.scanner.serviceAccount.name -}}
{{- else -}}
{{- required "scanner.serviceAccount.name is required when scanner.serviceAccount.create is false" .Values.scanner.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The hardening every container gets; the scanner adds NET_RAW on top. */}}
{{- define "portolan.podSecurityContext" -}}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
What an agent does with the API, for the DaemonSet's ClusterRole and each source pod's Role: reads
the runs assigned to it; writes result pages (ScanReportPages) for the findings of its own shard
(get and update: a page that exists already, when an agent restarted between saving a page and its
resume point, is written again); patches its shard's progress (status.shards.<index>).
*/}}
{{- define "portolan.scannerRules" -}}
- apiGroups: ["portolan.dev"]
  resources: ["scanreports"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["portolan.dev"]
  resources: ["scanreportpages"]
  verbs: ["create", "get", "update"]
- apiGroups: ["portolan.dev"]
  resources: ["scanreports/status"]
  verbs: ["patch"]
{{- end -}}
