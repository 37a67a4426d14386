import { TenantRegistry } from '@connector/config';
import { Injectable, Logger } from '@nestjs/common';
import { loadMappingRulesFile, MappingRules, MappingRulesError } from './mapping-rules';

/**
 * Mapping rules of every tenant, loaded and validated once at boot: a broken rules file stops the app with the
 * file and field named, instead of rejecting records one by one. A tenant without `mappingRulesFile` is served
 * (its records are rejected with RULES_MISSING, visible in the audit trail).
 */
@Injectable()
export class MappingRulesRegistry {
  private readonly logger = new Logger('mapping-rules');
  private readonly byTenant = new Map<string, MappingRules>();

  constructor(tenants: TenantRegistry) {
    const broken: MappingRulesError[] = [];
    for (const t of tenants.list()) {
      if (!t.mappingRulesFile) {
        this.logger.warn({
          msg: 'tenant has no mappingRulesFile; its records will be rejected with RULES_MISSING',
          tenant: t.id,
        });
        continue;
      }
      try {
        this.byTenant.set(t.id, loadMappingRulesFile(t.mappingRulesFile));
      } catch (e) {
        if (!(e instanceof MappingRulesError)) throw e;
        broken.push(new MappingRulesError(`${e.source} (tenant ${t.id})`, e.problems));
      }
    }
    // Every broken file at once, each with all its problems.
    if (broken.length === 1) throw broken[0];
    if (broken.length > 1)
      throw new MappingRulesError(
        `of ${broken.length} tenants`,
        broken.flatMap((b) => b.problems.map((p) => `${b.source}: ${p}`)),
      );
  }

  get(tenant: string): MappingRules | undefined {
    return this.byTenant.get(tenant);
  }
}
