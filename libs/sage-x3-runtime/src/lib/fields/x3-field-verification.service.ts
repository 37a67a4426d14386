import { TenantConfig, TenantRegistry } from '@connector/config';
import { RecurringJobs } from '@connector/messaging';
import { LogContext, ReadinessRegistry } from '@connector/observability';
import { X3ConfigError, X3EntityName } from '@connector/sage-x3';
import { contentHash } from '@connector/util';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SageX3ClientsRegistry } from '../clients/sage-x3-clients.registry';
import { OperatorNotices } from '../notices/operator-notices';
import { SAGE_X3_RUNTIME_OPTIONS, SageX3RuntimeOptions } from '../sage-x3-runtime.options';
import { X3AppEnv } from '../x3-app.env';

/**
 * - `pending`: not checked yet (or being checked for the first time);
 * - `verified`: every configured field exists and every sample value fits;
 * - `refused`: at least one entity's configuration does not match the tenant's X3 (see `problems`);
 * - `unverified`: the check could not run (X3 unreachable, credentials refused); tried again later.
 */
export type X3FieldCheckStatus = 'pending' | 'verified' | 'refused' | 'unverified';

export interface X3FieldCheckState {
  status: X3FieldCheckStatus;
  /** Problems per entity, each naming the field (`… PINVOICE ($query) has no field BPRVCR (configured as lookupFields[1])`). */
  problems: Partial<Record<X3EntityName | 'configuration', string[]>>;
  /** Why the check could not run (`unverified`). */
  reason?: string;
  checkedAt?: string;
}

/**
 * Checks, per tenant and without holding up the others, that the fields the app writes and filters on exist in the
 * customer's X3 representations (describe/verifyFields: `$prototypes`, else `$template`) and that the values it
 * writes fit them. A tenant whose fields do not match is refused for the entities concerned, named field by field
 * in the log, in the audit trail (`x3-fields-refused` notice) and in readiness (`x3-fields:<tenant>`); it is
 * checked again every X3_FIELD_CHECK_RETRY_MS until it passes, as is a tenant whose check could not run.
 */
@Injectable()
export class X3FieldVerification implements OnApplicationBootstrap {
  private readonly logger = new Logger('x3-fields');
  private readonly states = new Map<string, X3FieldCheckState>();
  private readonly running = new Map<string, Promise<X3FieldCheckState>>();
  private readonly noticed = new Map<string, string>();

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly notices: OperatorNotices,
    private readonly jobs: RecurringJobs,
    private readonly env: X3AppEnv,
    @Inject(SAGE_X3_RUNTIME_OPTIONS) private readonly options: SageX3RuntimeOptions,
    readiness: ReadinessRegistry,
  ) {
    for (const t of tenants.list()) {
      this.states.set(t.id, { status: 'pending', problems: {} });
      if (env.X3_FIELD_CHECK_ENABLED)
        readiness.register({ name: `x3-fields:${t.id}`, check: () => this.state(t.id).status !== 'refused' });
    }
  }

  onApplicationBootstrap(): void {
    if (!this.env.X3_FIELD_CHECK_ENABLED) return;
    // Each tenant on its own: a slow or unreachable X3 holds up nobody else.
    for (const t of this.tenants.list()) void this.verify(t.id);
    const every = this.env.X3_FIELD_CHECK_RETRY_MS;
    this.jobs.every('x3-fields', { firstAfterMs: every, everyMs: every }, async () => {
      for (const t of this.tenants.list())
        if (this.state(t.id).status !== 'verified' && !this.running.has(t.id)) await this.verify(t.id);
    });
  }

  state(tenantId: string): X3FieldCheckState {
    return this.states.get(tenantId) ?? { status: 'pending', problems: {} };
  }

  /**
   * Why the tenant's `entity` may not be used (its problems, or the tenant's unusable configuration), or null. Only
   * a refusal counts: a pending or unverified check lets the work go ahead (X3 will answer for itself).
   */
  refusal(tenantId: string, entity: X3EntityName): string | null {
    const s = this.state(tenantId);
    if (s.status !== 'refused') return null;
    const problems = [...(s.problems.configuration ?? []), ...(s.problems[entity] ?? [])];
    return problems.length ? problems.join('; ') : null;
  }

  /** Resolves once the tenant's first check has ended (or after timeoutMs): work that arrives at start waits for it. */
  async settled(tenantId: string, timeoutMs: number): Promise<X3FieldCheckState> {
    const run = this.running.get(tenantId);
    if (run && this.state(tenantId).status === 'pending') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    return this.state(tenantId);
  }

  /** Checks the tenant now (single flight); also what `npm run check` and the admin endpoint call. */
  verify(tenantId: string): Promise<X3FieldCheckState> {
    let run = this.running.get(tenantId);
    if (!run) {
      const tenant = this.tenants.require(tenantId);
      run = LogContext.run({ tenant: tenantId }, () => this.check(tenant)).finally(() => this.running.delete(tenantId));
      this.running.set(tenantId, run);
    }
    return run;
  }

  private async check(tenant: TenantConfig): Promise<X3FieldCheckState> {
    const checkedAt = new Date().toISOString();
    let next: X3FieldCheckState;
    try {
      const client = this.clients.forTenant(tenant);
      const problems: X3FieldCheckState['problems'] = {};
      for (const entity of this.options.entities) {
        const values = this.options.sampleValues?.(tenant, entity);
        const result = await client.verifyFields(entity, values ? { values } : {});
        if (!result.ok) problems[entity] = result.problems.map((p) => p.message);
      }
      next = { status: Object.keys(problems).length ? 'refused' : 'verified', problems, checkedAt };
    } catch (e) {
      next =
        e instanceof X3ConfigError && !e.status
          ? // The tenant's X3 settings cannot even make a client (an unknown field name in the tenants file).
            { status: 'refused', problems: { configuration: [e.message] }, checkedAt }
          : { status: 'unverified', problems: {}, reason: (e as Error).message, checkedAt };
    }
    const previous = this.state(tenant.id).status;
    this.states.set(tenant.id, next);
    await this.report(tenant.id, previous, next);
    return next;
  }

  private async report(tenantId: string, previous: X3FieldCheckStatus, next: X3FieldCheckState): Promise<void> {
    if (next.status === 'unverified') {
      this.logger.warn({
        msg: 'X3 fields could not be verified; checked again later',
        tenant: tenantId,
        reason: next.reason,
        retryMs: this.env.X3_FIELD_CHECK_RETRY_MS,
      });
      return;
    }
    if (next.status === 'verified') {
      if (previous === 'refused') {
        this.logger.log({ msg: 'X3 fields verified; the tenant is no longer refused', tenant: tenantId });
        this.noticed.delete(tenantId);
        await this.notices.publish(tenantId, 'x3-fields-verified', 'info', 'The configured Sage X3 fields now match');
      } else this.logger.log({ msg: 'X3 fields verified', tenant: tenantId, entities: this.options.entities });
      return;
    }
    const lines = Object.entries(next.problems).flatMap(([entity, list]) => (list ?? []).map((m) => `${entity}: ${m}`));
    this.logger.error({
      msg: `tenant ${tenantId} refused: its configured Sage X3 fields do not match its X3 (fix sageX3.classes in the tenants file or the X3 representation)`,
      tenant: tenantId,
      problems: lines,
    });
    // Told to the audit trail once per distinct set of problems.
    const hash = contentHash(next.problems);
    if (this.noticed.get(tenantId) === hash) return;
    this.noticed.set(tenantId, hash);
    await this.notices.publish(
      tenantId,
      'x3-fields-refused',
      'error',
      `Refused: the configured Sage X3 fields do not match the tenant's X3 — ${lines.join(' | ')}`.slice(0, 4000),
      { problems: next.problems },
    );
  }
}
