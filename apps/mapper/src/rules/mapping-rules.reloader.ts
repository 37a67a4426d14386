import { RecurringJobs } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MapperEnv } from '../app/mapper.env';
import { MappingRulesRegistry, RulesReload } from './mapping-rules.registry';

/**
 * Picks up changed mapping-rules files without a restart: every MAPPER_RULES_RELOAD_MS the registry reads the files
 * again. A new valid file is logged with its hash; a refused one is logged with every problem (once per content) and
 * shows in `connector_mapping_rules_invalid{tenant}` = 1 until the file is fixed, while the previous rules stay in
 * effect. `connector_mapping_rules_info{tenant,version,hash}` says which rules each replica uses, so a controller can
 * see that every replica has the new rules before replaying.
 */
@Injectable()
export class MappingRulesReloader implements OnModuleInit {
  private readonly logger = new Logger('mapping-rules');
  private readonly reloads: Counter<'tenant' | 'outcome'>;
  private readonly invalid: Gauge<'tenant'>;
  private readonly info: Gauge<'tenant' | 'version' | 'hash'>;

  constructor(
    private readonly registry: MappingRulesRegistry,
    private readonly env: MapperEnv,
    private readonly jobs: RecurringJobs,
    metrics: MetricsService,
  ) {
    this.reloads = metrics.counter(
      MetricNames.MappingRulesReloads,
      'Mapping-rules files read again and found changed, by outcome (loaded | invalid: refused, previous rules kept)',
      ['tenant', 'outcome'],
    );
    this.invalid = metrics.gauge(
      MetricNames.MappingRulesInvalid,
      '1 while the tenant mapping-rules file on disk is refused (the previous rules are in effect)',
      ['tenant'],
    );
    this.info = metrics.gauge(MetricNames.MappingRulesInfo, 'The mapping rules in effect (value 1)', [
      'tenant',
      'version',
      'hash',
    ]);
    for (const s of this.registry.status()) {
      this.info.set({ tenant: s.tenant, version: String(s.version), hash: short(s.hash) }, 1);
      this.invalid.set({ tenant: s.tenant }, 0);
    }
  }

  onModuleInit(): void {
    const ms = this.env.MAPPER_RULES_RELOAD_MS;
    if (ms > 0) this.jobs.every('mapping-rules-reload', { firstAfterMs: ms, everyMs: ms }, () => this.reloadNow());
  }

  /** One reload of every tenant's file (also what the schedule runs). */
  async reloadNow(): Promise<RulesReload[]> {
    const before = new Map(this.registry.status().map((s) => [s.tenant, s]));
    const results = await this.registry.reload();
    for (const r of results) {
      const was = before.get(r.tenant);
      if (r.outcome === 'loaded') {
        this.reloads.inc({ tenant: r.tenant, outcome: 'loaded' });
        if (was) this.info.remove({ tenant: r.tenant, version: String(was.version), hash: short(was.hash) });
        this.info.set({ tenant: r.tenant, version: String(r.version), hash: short(r.hash) }, 1);
        this.invalid.set({ tenant: r.tenant }, 0);
        this.logger.log({
          msg: 'mapping rules reloaded: in effect from the next decision',
          tenant: r.tenant,
          file: r.file,
          version: r.version,
          hash: short(r.hash),
          previousHash: was ? short(was.hash) : null,
        });
      } else if (r.outcome === 'invalid') {
        this.reloads.inc({ tenant: r.tenant, outcome: 'invalid' });
        this.invalid.set({ tenant: r.tenant }, 1);
        this.logger.error({
          msg: `mapping rules file refused; the rules in effect (${short(r.hash)}) stay:\n  - ${r.problems.join('\n  - ')}`,
          tenant: r.tenant,
          file: r.file,
          problems: r.problems,
        });
      }
    }
    return results;
  }
}

const short = (hash: string) => hash.slice(0, 12);
