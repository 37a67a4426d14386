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

  it('alerts on app down, consumer lag, posting failures, token refresh failures, DLQ growth and webhook rejections', () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const m of [
      MetricNames.ConsumerLag,
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
