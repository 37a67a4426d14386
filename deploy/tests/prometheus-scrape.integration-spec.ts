/* The five apps, started as real processes against the real Kafka broker, scraped by a real Prometheus
 * (scripts/prometheus.sh: Debian's package). Proves the scrape path end to end: targets up, `promtool check metrics`
 * clean on every /metrics, and a connector counter that moves with traffic is visible through Prometheus's API. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, TenantSecretsEditor } from '@connector/config';
import { MetricNames } from '@connector/observability';
import { DEMO_TEMPLATE } from '../docker/demo/make-demo-tenants';
import { CONNECTOR_APPS, ConnectorApp, connectorEnvSchema, ROOT } from './support/app-env';
import { prometheusTools } from './support/tools';

const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] || '127.0.0.1:9092';
const PREFIX = `prom-${randomBytes(4).toString('hex')}`;
const STARTUP_MS = 150_000;
/** prom-client default metrics that promtool's linter flags (gauges with a _total suffix): upstream names. */
const PROM_CLIENT_LINT = [
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/,
];

interface Running {
  app: string;
  proc: ChildProcess;
  port: number;
  log: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

async function httpStatus(url: string): Promise<number> {
  const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await r.arrayBuffer();
  return r.status;
}

function stop(p: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

describe('Prometheus scrapes the connector apps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prom-scrape-'));
  const apps: Running[] = [];
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let promtool = '';

  async function promQuery(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await r.json()) as {
      status: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`query ${q} failed`);
    return body.data.result;
  }

  beforeAll(async () => {
    const tools = prometheusTools();
    promtool = tools.promtool;

    // A tenants file like the tenant CLI writes it (secrets encrypted under a fresh key). Pulls are off: this test
    // is about metrics, not about reaching ServiceTitan or X3.
    const key = SecretBox.generateKey();
    const template = JSON.parse(
      readFileSync(DEMO_TEMPLATE, 'utf8')
        .split('${ST_SIM_URL}')
        .join('http://127.0.0.1:9')
        .split('${X3_SIM_URL}')
        .join('http://127.0.0.1:9'),
    );
    delete template.mappingRulesFile;
    template.servicetitan.pull.enabled = false;
    template.sageX3.poll.enabled = false;
    const editor = TenantSecretsEditor.empty();
    editor.addTenant(template, new SecretBox(key));
    const tenantsFile = join(dir, 'tenants.json');
    writeFileSync(tenantsFile, JSON.stringify(editor.toJSON()));

    const values: Record<string, string> = {
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: PREFIX,
      KAFKA_PROVISION_TOPICS: 'true',
      KAFKA_TOPIC_PARTITIONS: '1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
      TENANTS_FILE: tenantsFile,
      CONNECTOR_ENCRYPTION_KEY: key,
    };
    for (const app of CONNECTOR_APPS) {
      const { known, required } = connectorEnvSchema(app as ConnectorApp);
      const port = await freePort();
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? dir,
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
        PORT: String(port),
      };
      for (const [k, v] of Object.entries(values)) if (known.has(k)) env[k] = v;
      const missing = [...required].filter((k) => !(k in env));
      if (missing.length) throw new Error(`${app} requires ${missing.join(', ')}: teach this test a value for it`);
      const proc = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps', app, 'src/main.ts')], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const running: Running = { app, proc, port, log: [] };
      const keep = (b: Buffer) => running.log.push(b.toString()) > 200 && running.log.shift();
      proc.stdout?.on('data', keep);
      proc.stderr?.on('data', keep);
      apps.push(running);
    }
    try {
      await Promise.all(
        apps.map((a) =>
          // Live, not ready: readiness also covers the apps' own dependencies (databases, tenants), and Prometheus
          // scrapes /metrics whatever the readiness.
          waitFor(
            `${a.app} /health/live`,
            async () => {
              if (a.proc.exitCode !== null) throw new Error(`${a.app} exited with ${a.proc.exitCode}`);
              return (await httpStatus(`http://127.0.0.1:${a.port}/health/live`)) === 200 ? true : undefined;
            },
            STARTUP_MS,
            500,
          ),
        ),
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n${apps.map((a) => `--- ${a.app}\n${a.log.join('').slice(-3000)}`).join('\n')}`,
      );
    }

    // Prometheus: 1 s scrapes of every app, storage in the temp dir, a free port on 127.0.0.1.
    const cfg = [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: connector',
      '    static_configs:',
      ...apps.map((a) => `      - { targets: ["127.0.0.1:${a.port}"], labels: { service: ${a.app} } }`),
      '',
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), cfg);
    prometheus = spawn(
      'bash',
      [join(ROOT, 'scripts/prometheus.sh'), 'run', join(dir, 'prometheus.yml'), join(dir, 'tsdb'), '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const promLog: string[] = [];
    prometheus.stderr?.on('data', (b: Buffer) => promLog.push(b.toString()));
    promUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      prometheus!.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = out.match(/PROMETHEUS_URL=(\S+)/);
        if (m) resolve(m[1]);
      });
      prometheus!.once('exit', (code) => reject(new Error(`prometheus exited (${code}): ${promLog.join('')}`)));
    });
    await waitFor(
      'prometheus /-/ready',
      async () => ((await httpStatus(`${promUrl}/-/ready`)) === 200 ? true : undefined),
      60_000,
    );
  }, STARTUP_MS + 90_000);

  afterAll(async () => {
    await Promise.all([...apps.map((a) => stop(a.proc)), prometheus ? stop(prometheus) : Promise.resolve()]);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('promtool check metrics passes on every app /metrics, which carries the app label and connector metrics', async () => {
    for (const a of apps) {
      const r = await fetch(`http://127.0.0.1:${a.port}/metrics`);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const text = await r.text();
      expect(text).toContain(`# TYPE ${MetricNames.MessagesConsumed} counter`);
      expect(text).toMatch(new RegExp(`process_cpu_seconds_total\\{app="${a.app}"\\}`));
      const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      // promtool's lint output, one problem per line; the only accepted ones are prom-client's own default gauges
      // named *_total (upstream naming, not ours). Anything else, and any connector_* metric, fails.
      const problems = (check.stdout + check.stderr).split('\n').filter(Boolean);
      expect([a.app, problems.filter((p) => !PROM_CLIENT_LINT.some((re) => re.test(p)))]).toEqual([a.app, []]);
      expect(check.status === 0 || problems.length > 0).toBe(true);
    }
  }, 30_000);

  it('sees every app as an up target', async () => {
    const targets = await waitFor(
      'all targets up',
      async () => {
        const r = await fetch(`${promUrl}/api/v1/targets?state=active`);
        const body = (await r.json()) as {
          data: { activeTargets: Array<{ health: string; labels: Record<string, string> }> };
        };
        const t = body.data.activeTargets;
        return t.length === apps.length && t.every((x) => x.health === 'up') ? t : undefined;
      },
      40_000,
    );
    expect(targets.map((t) => t.labels['service']).sort()).toEqual([...CONNECTOR_APPS].sort());
    const up = await promQuery('up{job="connector"} == 1');
    expect(up.map((s) => s.metric['service']).sort()).toEqual([...CONNECTOR_APPS].sort());
    // prom-client's default label reaches Prometheus on every series.
    const apps_ = await promQuery('count by (app) (process_cpu_seconds_total)');
    expect(apps_.map((s) => s.metric['app']).sort()).toEqual([...CONNECTOR_APPS].sort());
  }, 60_000);

  it('shows a connector counter increasing after traffic (rejected webhooks)', async () => {
    const gw = apps.find((a) => a.app === 'webhook-gateway')!;
    const query = `sum(${MetricNames.WebhooksRejected}{app="webhook-gateway",tenant="demo"})`;
    const valueNow = async () => {
      const r = await promQuery(query);
      return r.length ? Number(r[0].value[1]) : 0;
    };
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await fetch(`http://127.0.0.1:${gw.port}/webhooks/servicetitan/demo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-servicetitan-signature': '00'.repeat(32) },
          body: JSON.stringify({ eventId: `evt-${i}`, note: 'signed with the wrong key' }),
        });
        expect(r.status).toBe(401);
      }
    };
    const before = await valueNow();
    await send(3);
    const first = await waitFor(
      'first burst scraped',
      async () => ((await valueNow()) >= before + 3 ? valueNow() : undefined),
      20_000,
    );
    await send(2);
    const second = await waitFor(
      'second burst scraped',
      async () => ((await valueNow()) >= first + 2 ? valueNow() : undefined),
      20_000,
    );
    expect(second - before).toBe(5);
    const rate = await promQuery(`sum(increase(${MetricNames.WebhooksRejected}{app="webhook-gateway"}[1m]))`);
    expect(Number(rate[0].value[1])).toBeGreaterThan(0);
  }, 60_000);
});
