import { TenantRegistry } from '@connector/config';
import { Injectable, Logger } from '@nestjs/common';
import { loadMappingRulesFile, MappingRules } from './mapping-rules';

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
    for (const t of tenants.list()) {
      if (!t.mappingRulesFile) {
        this.logger.warn({
          msg: 'tenant has no mappingRulesFile; its records will be rejected with RULES_MISSING',
          tenant: t.id,
        });
        continue;
      }
      this.byTenant.set(t.id, loadMappingRulesFile(t.mappingRulesFile));
    }
  }

  get(tenant: string): MappingRules | undefined {
    return this.byTenant.get(tenant);
  }
}
