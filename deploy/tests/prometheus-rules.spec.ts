/* deploy/prometheus/*: promtool (Debian's prometheus package, installed by scripts/prometheus.sh) accepts the alert
 * rules and the compose scrape config, and the rules only use metrics the connector exports. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MetricNames } from '@connector/observability';
import { ROOT } from './support/app-env';
import { prometheusTools } from './support/tools';

const RULES = join(ROOT, 'deploy/prometheus/alert-rules.yml');
let promtool: string;
beforeAll(
  () => {
    promtool = prometheusTools().promtool;
  },
  5 * 60 * 1000,
);

describe('deploy/prometheus', () => {
  it('promtool check rules accepts alert-rules.yml', () => {
    const out = execFileSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool rejects a broken rule (the check is real)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      writeFileSync(
        join(dir, 'bad.yml'),
        'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(connector_postings_total[5m]) >\n',
      );
      expect(spawnSync(promtool, ['check', 'rules', join(dir, 'bad.yml')]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('alerts on app down, consumer lag, a stuck consumer, posting failures, token refresh failures, DLQ growth and webhook rejections', () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const m of [
      MetricNames.ConsumerLag,
      MetricNames.ConsumerStuck,
      MetricNames.Postings,
      MetricNames.TokenRefreshFailures,
      MetricNames.MessagesDeadLettered,
      MetricNames.WebhooksRejected,
    ])
      expect(exprs).toContain(m);
    expect(exprs).toMatch(/\bup\{/);
    // Every connector_* metric referenced is one the apps export (names are the alerting contract).
    const known = new Set<string>(Object.values(MetricNames));
    const used = [...exprs.matchAll(/\b(connector_[a-z_]+)/g)].map((m) => m[1]);
    expect(used.filter((m) => !known.has(m))).toEqual([]);
  });

  it('promtool test rules: ConnectorConsumerStuck fires after a minute of connector_consumer_stuck == 1, and only then', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-test-'));
    try {
      copyFileSync(RULES, join(dir, 'alert-rules.yml'));
      const labels = { app: 'audit-service', group: 'audit-service' };
      const rule = (
        parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<Record<string, unknown>> }> }
      ).groups
        .flatMap((g) => g.rules)
        .find((r) => r['alert'] === 'ConnectorConsumerStuck') as { annotations: Record<string, string> };
      // promtool compares the rendered annotations too: render the two label templates they use
      const render = (t: string) => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: 'app' | 'group') => labels[k]);
      const alert = {
        exp_labels: { severity: 'critical', ...labels },
        exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, render(v)])),
      };
      const test = {
        rule_files: ['alert-rules.yml'],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              // stuck from minute 2 on; another group stays healthy
              { series: 'connector_consumer_stuck{app="audit-service",group="audit-service"}', values: '0x8 1x12' },
              { series: 'connector_consumer_stuck{app="mapper",group="mapper"}', values: '0x20' },
            ],
            alert_rule_test: [
              { eval_time: '2m', alertname: 'ConnectorConsumerStuck', exp_alerts: [] },
              { eval_time: '2m30s', alertname: 'ConnectorConsumerStuck', exp_alerts: [] },
              {
                eval_time: '3m30s',
                alertname: 'ConnectorConsumerStuck',
                exp_alerts: [alert],
              },
            ],
          },
        ],
      };
      writeFileSync(join(dir, 'stuck.test.yml'), JSON.stringify(test));
      const res = spawnSync(promtool, ['test', 'rules', join(dir, 'stuck.test.yml')], { encoding: 'utf8' });
      expect(`${res.stdout}${res.stderr}`).toContain('SUCCESS');
      expect(res.status).toBe(0);
      // the check is real: expecting the alert too early fails
      (test.tests[0].alert_rule_test[0].exp_alerts as unknown[]) = [alert];
      writeFileSync(join(dir, 'stuck.test.yml'), JSON.stringify(test));
      expect(spawnSync(promtool, ['test', 'rules', join(dir, 'stuck.test.yml')]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promtool check config accepts the docker-compose Prometheus configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promcfg-'));
    try {
      copyFileSync(RULES, join(dir, 'alert-rules.yml'));
      const cfg = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.compose.yml'), 'utf8').replace(
        '/etc/prometheus/alert-rules.yml',
        join(dir, 'alert-rules.yml'),
      );
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const out = execFileSync(promtool, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
