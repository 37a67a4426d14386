{{/* Chart name and fullname (release-scoped prefix of every object). */}}
{{- define "connector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "connector.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one app's objects: <fullname>-<app>. Call with (dict "root" $ "app" $name). */}}
{{- define "connector.appFullname" -}}
{{- printf "%s-%s" (include "connector.fullname" .root) .app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "connector.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: connector
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Labels of release-wide objects. */}}
{{- define "connector.labels" -}}
{{ include "connector.commonLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one app. Call with (dict "root" $ "app" $name). */}}
{{- define "connector.selectorLabels" -}}
app.kubernetes.io/name: {{ .app }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "connector.appLabels" -}}
{{ include "connector.commonLabels" .root }}
{{ include "connector.selectorLabels" . }}
app.kubernetes.io/component: {{ .app }}
{{- end -}}

{{- define "connector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "connector.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image of one app. Call with (dict "root" $ "app" $name). */}}
{{- define "connector.image" -}}
{{- $img := .root.Values.image -}}
{{- printf "%s/%s%s:%s" $img.registry $img.repositoryPrefix .app (default .root.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/* "true" when ServiceMonitors render: the toggle AND the cluster serves the CRD API. */}}
{{- define "connector.serviceMonitorEnabled" -}}
{{- if and .Values.metrics.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}true{{- end -}}
{{- end -}}

{{- define "connector.settingsConfigMap" -}}{{ include "connector.fullname" . }}-settings{{- end -}}
{{- define "connector.filesConfigMap" -}}{{ include "connector.fullname" . }}-files{{- end -}}

{{/* KAFKA_PROVISION_TOPICS for the running apps: only when they provision themselves. */}}
{{- define "connector.appsProvisionTopics" -}}
{{- if eq .Values.kafka.provisioning "apps" -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* configDir volume: the tenants file (user's Secret/ConfigMap, or the chart's files ConfigMap) plus mapping files. */}}
{{- define "connector.filesConfigMapRendered" -}}
{{- if or (and (not .Values.tenants.existingSecret) (not .Values.tenants.existingConfigMap)) .Values.mappingFiles -}}true{{- end -}}
{{- end -}}

{{- define "connector.configVolume" -}}
- name: config
  projected:
    defaultMode: 0440
    sources:
      {{- if .Values.tenants.existingSecret }}
      - secret:
          name: {{ .Values.tenants.existingSecret }}
          items:
            - key: {{ .Values.tenants.fileName }}
              path: {{ .Values.tenants.fileName }}
      {{- else if .Values.tenants.existingConfigMap }}
      - configMap:
          name: {{ .Values.tenants.existingConfigMap }}
          items:
            - key: {{ .Values.tenants.fileName }}
              path: {{ .Values.tenants.fileName }}
      {{- end }}
      {{- if include "connector.filesConfigMapRendered" . }}
      - configMap:
          name: {{ include "connector.filesConfigMap" . }}
      {{- end }}
{{- end -}}

{{/* TENANTS_FILE and the encryption key from its Secret. */}}
{{- define "connector.tenantEnv" -}}
- name: TENANTS_FILE
  value: {{ printf "%s/%s" .Values.configDir .Values.tenants.fileName | quote }}
- name: CONNECTOR_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ required "encryptionKey.existingSecret is required (a Secret holding CONNECTOR_ENCRYPTION_KEY)" .Values.encryptionKey.existingSecret }}
      key: {{ .Values.encryptionKey.key }}
{{- end -}}
