/* The Helm chart, rendered with a real helm (scripts/install-helm.sh builds it into .cache/tools/bin): lint, render
 * for default and production-like values, validate every manifest against the k8s.io/api types offline, and assert
 * what matters: probes, secret references, security context, ServiceMonitor on/off, replicas, env vs the apps. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { topicCatalogue } from '@connector/contracts';
import { CONNECTOR_APPS, envSchema, IMAGE_ENV, ROOT, type AnyApp } from './support/app-env';
import { chartTools } from './support/tools';

const CHART = join(ROOT, 'deploy/helm/connector');
const PROD = join(CHART, 'values-production.yaml');
// Go-installed helm has no build-time Kubernetes version (it would default to v1.20): say which one we target.
const KUBE = ['--kube-version', '1.30.0'];

/** Rendered YAML, navigable without casts (assertions check the actual shapes). */
type Deep = { readonly [key: string]: Deep } & Deep[];
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: Deep;
  data?: Record<string, string>;
};
type Container = {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};

let tools: { helm: string; manifestCheck: string };
beforeAll(
  () => {
    tools = chartTools();
  },
  15 * 60 * 1000,
);

function helm(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(tools.helm, args, { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function render(extra: string[] = []): Obj[] {
  const r = helm(['template', 'rel', CHART, '--namespace', 'connector', ...KUBE, ...extra]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  // Offline schema validation of every rendered manifest (strict decoding into k8s.io/api types).
  const check = spawnSync(tools.manifestCheck, ['-'], { input: r.stdout, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`invalid manifests:\n${check.stdout}${check.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const deployment = (objs: Obj[], app: string) =>
  objs.find((o) => o.kind === 'Deployment' && o.metadata.name === `rel-connector-${app}`)!;
const container = (d: Obj): Container => d.spec['template']['spec']['containers'][0] as unknown as Container;

/** Variable names a container gets: env entries plus the keys of ConfigMaps it loads with envFrom. */
function containerEnv(objs: Obj[], c: Container): string[] {
  const names = (c.env ?? []).map((e) => e.name);
  for (const ef of c.envFrom ?? []) {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ef.configMapRef?.name);
    if (!cm) throw new Error(`envFrom references ConfigMap ${ef.configMapRef?.name}, which the chart does not render`);
    names.push(...Object.keys(cm.data ?? {}));
  }
  return names;
}

describe('deploy/helm/connector', () => {
  it('passes helm lint with default and production-like values', () => {
    for (const values of [[], ['-f', PROD]]) {
      const r = helm(['lint', CHART, '--strict', ...KUBE, ...values]);
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  describe('default values', () => {
    let objs: Obj[];
    beforeAll(() => {
      objs = render();
    });

    it('renders a Deployment, Service and PodDisruptionBudget per connector app, and no simulators', () => {
      const names = (kind: string) =>
        byKind(objs, kind)
          .map((o) => o.metadata.name)
          .sort();
      const expected = CONNECTOR_APPS.map((a) => `rel-connector-${a}`).sort();
      expect(names('Deployment')).toEqual(expected);
      expect(names('Service')).toEqual(expected);
      expect(names('PodDisruptionBudget')).toEqual(expected);
      expect(byKind(objs, 'HorizontalPodAutoscaler')).toEqual([]);
      expect(byKind(objs, 'NetworkPolicy')).toEqual([]);
      expect(deployment(objs, 'webhook-gateway').spec.replicas).toBe(2);
      expect(deployment(objs, 'mapper').spec.replicas).toBe(1);
      expect(container(deployment(objs, 'mapper')).image).toBe('ghcr.io/example/connector-mapper:0.1.0');
    });

    it.each(CONNECTOR_APPS)('%s: health probes, non-root read-only container with a writable /tmp', (app) => {
      const d = deployment(objs, app);
      const c = container(d);
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(c.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    });

    it.each(CONNECTOR_APPS)('%s: gets only variables it reads and every one it requires', (app) => {
      const names = containerEnv(objs, container(deployment(objs, app)));
      const { known, required } = envSchema(app);
      expect(names.filter((n) => !known.has(n) && !IMAGE_ENV.has(n))).toEqual([]);
      expect([...required].filter((n) => !names.includes(n))).toEqual([]);
      expect(new Set(names).size).toBe(names.length);
    });

    it('takes the encryption key from the existing Secret and mounts the tenants file where TENANTS_FILE points', () => {
      for (const app of CONNECTOR_APPS) {
        const c = container(deployment(objs, app));
        const key = c.env?.find((e) => e.name === 'CONNECTOR_ENCRYPTION_KEY');
        if (!envSchema(app).known.has('CONNECTOR_ENCRYPTION_KEY')) {
          expect(key).toBeUndefined();
          continue;
        }
        expect(key?.value).toBeUndefined();
        expect(key?.valueFrom?.secretKeyRef).toEqual({ name: 'connector-secrets', key: 'CONNECTOR_ENCRYPTION_KEY' });
        expect(c.env?.find((e) => e.name === 'TENANTS_FILE')?.value).toBe('/etc/connector/tenants.json');
        expect(c.volumeMounts).toContainEqual(expect.objectContaining({ name: 'config', mountPath: '/etc/connector' }));
      }
      const files = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'rel-connector-files');
      expect(JSON.parse(files!.data!['tenants.json'])).toEqual({ tenants: [] });
      // No Secret objects: the chart only references Secrets the operator created.
      expect(byKind(objs, 'Secret')).toEqual([]);
    });

    it('uses prometheus.io scrape annotations when the cluster has no ServiceMonitor API', () => {
      expect(byKind(objs, 'ServiceMonitor')).toEqual([]);
      for (const app of CONNECTOR_APPS) {
        expect(deployment(objs, app).spec.template.metadata.annotations).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': '3000',
          'prometheus.io/path': '/metrics',
        });
      }
    });

    it('provisions topics with a pre-install/pre-upgrade hook Job running an app image, and the apps do not', () => {
      const job = byKind(objs, 'Job')[0];
      expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const c = job.spec['template']['spec']['containers'][0] as unknown as Container;
      expect(c.image).toBe('ghcr.io/example/connector-x3-poller:0.1.0');
      expect(c.env?.find((e) => e.name === 'KAFKA_PROVISION_TOPICS')?.value).toBe('true');
      const { known, required } = envSchema('x3-poller');
      const names = containerEnv(objs, c);
      expect(names.filter((n) => !known.has(n))).toEqual([]);
      expect([...required].filter((n) => !names.includes(n))).toEqual([]);
      // Its tenants ConfigMap is a hook too (it must exist before the release's own objects).
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'rel-connector-provision-topics');
      expect(cm?.metadata.annotations?.['helm.sh/hook-weight']).toBe('-10');
      const settings = objs.find((o) => o.metadata.name === 'rel-connector-settings');
      expect(settings?.data?.['KAFKA_PROVISION_TOPICS']).toBe('false');
    });
  });

  it('renders a ServiceMonitor per connector app only when monitoring.coreos.com/v1 is served and enabled', () => {
    const withApi = render(['--api-versions', 'monitoring.coreos.com/v1']);
    const monitors = byKind(withApi, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(CONNECTOR_APPS.map((a) => `rel-connector-${a}`).sort());
    expect(monitors[0].spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(deployment(withApi, 'mapper').spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    const toggledOff = render([
      '--api-versions',
      'monitoring.coreos.com/v1',
      '--set',
      'metrics.serviceMonitor.enabled=false',
    ]);
    expect(byKind(toggledOff, 'ServiceMonitor')).toEqual([]);
    expect(deployment(toggledOff, 'mapper').spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
  });

  describe('production-like values', () => {
    let objs: Obj[];
    beforeAll(() => {
      objs = render(['-f', PROD, '--api-versions', 'monitoring.coreos.com/v1']);
    });

    it('scales with HPAs where enabled and fixed replicas elsewhere', () => {
      const hpas = byKind(objs, 'HorizontalPodAutoscaler');
      expect(hpas.map((h) => h.metadata.name).sort()).toEqual([
        'rel-connector-mapper',
        'rel-connector-webhook-gateway',
      ]);
      expect(hpas.find((h) => h.metadata.name === 'rel-connector-webhook-gateway')?.spec).toMatchObject({
        minReplicas: 3,
        maxReplicas: 10,
        scaleTargetRef: { kind: 'Deployment', name: 'rel-connector-webhook-gateway' },
      });
      expect(deployment(objs, 'webhook-gateway').spec.replicas).toBeUndefined();
      expect(deployment(objs, 'x3-poster').spec.replicas).toBe(2);
      expect(container(deployment(objs, 'x3-poster')).image).toBe(
        'registry.example.com/integrations/connector-x3-poster:0.1.0',
      );
    });

    it('reads the tenants file from a Secret and audit database credentials from Secrets', () => {
      const vol = deployment(objs, 'mapper').spec['template']['spec']['volumes'].find(
        (v) => (v as unknown as { name: string }).name === 'config',
      );
      expect(vol?.['projected']['sources']).toEqual([
        { secret: { name: 'connector-tenants', items: [{ key: 'tenants.json', path: 'tenants.json' }] } },
      ]);
      expect(objs.find((o) => o.metadata.name === 'rel-connector-files')).toBeUndefined();
      const audit = container(deployment(objs, 'audit-service'));
      expect(audit.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
        name: 'connector-audit-db',
        key: 'DATABASE_URL',
      });
      for (const app of CONNECTOR_APPS) {
        const names = containerEnv(objs, container(deployment(objs, app)));
        const { known, required } = envSchema(app as AnyApp);
        expect(names.filter((n) => !known.has(n) && !IMAGE_ENV.has(n))).toEqual([]);
        expect([...required].filter((n) => !names.includes(n))).toEqual([]);
      }
    });

    it('isolates pods with NetworkPolicies and lets only the webhook-gateway take traffic from the ingress namespace', () => {
      const policies = byKind(objs, 'NetworkPolicy');
      expect(policies).toHaveLength(CONNECTOR_APPS.length);
      const gw = policies.find((p) => p.metadata.name === 'rel-connector-webhook-gateway');
      expect(gw?.spec.ingress).toHaveLength(2);
      expect(policies.find((p) => p.metadata.name === 'rel-connector-mapper')?.spec.ingress).toHaveLength(1);
    });
  });

  it('can provision the whole topic catalogue as Strimzi KafkaTopics', () => {
    const objs = render(['--set', 'kafka.provisioning=strimzi', '--set', 'kafka.topicPrefix=acme']);
    const topics = byKind(objs, 'KafkaTopic');
    const catalogue = topicCatalogue(3);
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(catalogue.map((t) => `acme.${t.name}`).sort());
    for (const spec of catalogue) {
      const t = topics.find((x) => String(x.spec['topicName']) === `acme.${spec.name}`)!;
      expect(t.spec.config['cleanup.policy']).toBe(spec.compacted ? 'compact' : 'delete');
      if (!spec.compacted) expect(t.spec.config['retention.ms']).toBe(String(spec.retentionMs));
    }
    expect(byKind(objs, 'Job')).toEqual([]);
    expect(objs.find((o) => o.metadata.name === 'rel-connector-settings')?.data?.['KAFKA_PROVISION_TOPICS']).toBe(
      'false',
    );
  });

  it('can run the simulators beside the apps, with TCP probes and the variables they read', () => {
    const objs = render([
      '--set',
      'apps.servicetitan-simulator.enabled=true',
      '--set',
      'apps.sage-x3-simulator.enabled=true',
    ]);
    for (const app of ['servicetitan-simulator', 'sage-x3-simulator'] as const) {
      const c = container(deployment(objs, app));
      expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
      const names = containerEnv(objs, c);
      expect(names.filter((n) => !envSchema(app).known.has(n))).toEqual([]);
    }
  });

  it('rejects invalid values through values.schema.json', () => {
    for (const bad of [
      ['--set', 'kafka.provisioning=sometimes'],
      ['--set', 'apps.mapper.replicaz=2'],
      ['--set', 'encryptionKey.existingSecret='],
      ['--set', 'kafka.brokers=not a broker list'],
      ['--set', 'podSecurityContext.runAsNonRoot=false'],
      ['--set', 'apps.mapper.env.bad-name=x'],
    ]) {
      const r = helm(['template', 'rel', CHART, ...KUBE, ...bad]);
      expect([bad, r.status]).toEqual([bad, 1]);
      expect(r.stderr).toMatch(/schema/);
    }
  });

  it('keeps the topic list in values.yaml equal to the catalogue in libs/contracts', () => {
    const values = execFileSync(tools.helm, ['show', 'values', CHART], { encoding: 'utf8' });
    const doc = parseAllDocuments(values)[0].toJS() as {
      kafka: { topics: Array<{ name: string; compacted: boolean; retentionMs: number }> };
    };
    expect(doc.kafka.topics).toEqual(
      topicCatalogue(3).map((t) => ({ name: t.name, compacted: t.compacted, retentionMs: t.retentionMs })),
    );
  });
});
