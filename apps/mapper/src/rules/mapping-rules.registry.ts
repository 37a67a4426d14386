import { readFile } from 'node:fs/promises';
import { TenantRegistry } from '@connector/config';
import { contentHash } from '@connector/util';
import { Injectable, Logger } from '@nestjs/common';
import { MappingRules, MappingRulesError, parseMappingRulesText, readMappingRulesFile } from './mapping-rules';

/** What one reload found for a tenant's rules file. */
export interface RulesReload {
  tenant: string;
  file: string;
  /** unchanged: same text as last read; loaded: new rules in effect; invalid: refused, the rules in effect stay. */
  outcome: 'unchanged' | 'loaded' | 'invalid';
  /** Hash of the rules in effect after this reload. */
  hash: string;
  version: number;
  /** Every problem of a refused file (field by field). */
  problems: string[];
}

interface TenantRules {
  file: string;
  rules: MappingRules;
  /** Hash of the text the rules in effect came from. */
  hash: string;
  /** Hash of the text last read (valid or not): a file is judged once per content. */
  lastRead: string;
  /** The last read text was refused (the rules in effect are older than the file). */
  invalid: boolean;
}

/**
 * Mapping rules of every tenant. Loaded and validated at boot: a broken rules file stops the app with the file and
 * field named, instead of rejecting records one by one. A tenant without `mappingRulesFile` is served (its records
 * are rejected with RULES_MISSING, visible in the audit trail).
 *
 * reload() reads the files again (MappingRulesReloader calls it every MAPPER_RULES_RELOAD_MS): a changed file that
 * validates replaces the tenant's rules in one assignment — a decision reads the rules once, so it sees the old or
 * the new file, never a mix; a changed file that does not validate is reported with every problem and the rules in
 * effect stay. So a controller can add a rule and replay the rejected records without a restart.
 */
@Injectable()
export class MappingRulesRegistry {
  private readonly logger = new Logger('mapping-rules');
  private readonly byTenant = new Map<string, TenantRules>();

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
        const text = readMappingRulesFile(t.mappingRulesFile);
        const hash = contentHash(text);
        const rules = parseMappingRulesText(text, t.mappingRulesFile);
        this.byTenant.set(t.id, { file: t.mappingRulesFile, rules, hash, lastRead: hash, invalid: false });
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
    return this.byTenant.get(tenant)?.rules;
  }

  /** Tenant → hash of the rules in effect, version, and whether the file on disk was refused. */
  status(): Array<{ tenant: string; file: string; hash: string; version: number; invalid: boolean }> {
    return [...this.byTenant].map(([tenant, t]) => ({
      tenant,
      file: t.file,
      hash: t.hash,
      version: t.rules.version,
      invalid: t.invalid,
    }));
  }

  /** Reads every tenant's rules file again; see the class comment. */
  async reload(): Promise<RulesReload[]> {
    const out: RulesReload[] = [];
    for (const [tenant, current] of this.byTenant) {
      const result = (outcome: RulesReload['outcome'], problems: string[] = []): RulesReload => {
        const now = this.byTenant.get(tenant) as TenantRules;
        return { tenant, file: now.file, outcome, hash: now.hash, version: now.rules.version, problems };
      };
      let text: string;
      try {
        text = await readFile(current.file, 'utf8');
      } catch (e) {
        // Unreadable (e.g. removed while an editor saves): the rules in effect stay; told once until it changes.
        const problem = `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        const seen = current.lastRead === `unreadable:${problem}`;
        this.byTenant.set(tenant, { ...current, lastRead: `unreadable:${problem}`, invalid: true });
        out.push(result(seen ? 'unchanged' : 'invalid', seen ? [] : [problem]));
        continue;
      }
      const hash = contentHash(text);
      if (hash === current.lastRead) {
        out.push(result('unchanged'));
        continue;
      }
      try {
        const rules = parseMappingRulesText(text, current.file);
        this.byTenant.set(tenant, { file: current.file, rules, hash, lastRead: hash, invalid: false });
        out.push(result('loaded'));
      } catch (e) {
        if (!(e instanceof MappingRulesError)) throw e;
        this.byTenant.set(tenant, { ...current, lastRead: hash, invalid: true });
        out.push(result('invalid', e.problems));
      }
    }
    return out;
  }
}
