import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  createEnvelope,
  MarkExportedCommandV1,
  ST_WRITE_BACK_STATE,
  Topics,
  WriteBackStateV1,
} from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { MARK_EXPORTED_BATCH_SIZE } from '@connector/servicetitan';
import { backoffDelayMs } from '@connector/util';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';
import { ServiceTitanClientsRegistry } from '../servicetitan/servicetitan-clients.registry';

type PendingMark = WriteBackStateV1 & { tenant: string };

/**
 * Write-back (a tenant option, off by default): marks the ServiceTitan invoice / inventory bill of a document X3
 * confirmed as exported, with the X3 document number. A mark-exported command becomes a pending entry on the
 * compacted `connector.servicetitan.write-back.v1` (so it survives the owner's restart or hand-over), the owner sends
 * pending marks in batches (≤ 50 per request), retries a failed one with backoff and finally marks it failed: every
 * step is a message the audit trail stores. A mark changes ServiceTitan's syncStatus and modifiedOn only, which the
 * feed reader's content hash leaves out: it never makes a record look changed, so it never causes another posting.
 */
@Injectable()
export class WriteBackService {
  private readonly logger = new Logger('servicetitan-write-back');
  private readonly view: CompactedTopicView<PendingMark>;
  private readonly outcomes;

  constructor(
    views: StateViews,
    tenants: TenantRegistry,
    private readonly clients: ServiceTitanClientsRegistry,
    private readonly env: WebhookGatewayEnv,
    metrics: MetricsService,
  ) {
    const served = new Set(tenants.list().map((t) => t.id));
    this.view = views.open({
      topic: Topics.StWriteBack,
      name: 'servicetitan-write-back',
      // Done and failed marks leave memory (they stay on the topic and in the audit trail).
      filter: (e) => served.has(e.tenant) && (e.payload as WriteBackStateV1).status === 'pending',
      decode: (e) => ({ ...(e.payload as WriteBackStateV1), tenant: e.tenant }),
    });
    this.outcomes = metrics.counter(MetricNames.ServiceTitanWriteBacks, 'ServiceTitan write-backs by outcome', [
      'tenant',
      'entity',
      'outcome',
    ]);
  }

  /** Pending marks of a tenant (tests, readiness of a hand-over). */
  pending(tenant: string): PendingMark[] {
    return [...this.view.values()].filter((m) => m.tenant === tenant);
  }

  /** Remembers a mark-exported command durably (acknowledged before the command is committed). */
  async accept(tenant: TenantConfig, command: MarkExportedCommandV1): Promise<void> {
    if (!tenant.servicetitan.writeBack.enabled) {
      this.logger.warn({ msg: 'write-back is off for this tenant; mark ignored', tenant: tenant.id, id: command.id });
      return;
    }
    const key = this.keyOf(tenant.id, command.entity, command.id);
    const current = this.view.get(key);
    if (current && current.x3DocumentNumber === command.x3DocumentNumber) return;
    const message =
      command.externalMessage ??
      tenant.servicetitan.writeBack.externalMessage
        .replace('{documentNumber}', command.x3DocumentNumber)
        .replace('{externalRef}', command.externalRef);
    await this.put(tenant.id, {
      entity: command.entity,
      id: command.id,
      x3DocumentNumber: command.x3DocumentNumber,
      externalRef: command.externalRef,
      externalMessage: message,
      status: 'pending',
      attempts: 0,
      lastError: null,
      nextAttemptAt: new Date(Date.now() + this.env.ST_WRITE_BACK_DEBOUNCE_MS).toISOString(),
      updatedAt: new Date().toISOString(),
    });
  }

  /** Sends the tenant's due marks, in batches; called by the owner's tick. */
  async sendDue(tenant: TenantConfig, proceed: () => boolean): Promise<void> {
    if (!tenant.servicetitan.writeBack.enabled) return;
    const now = new Date().toISOString();
    const due = this.pending(tenant.id).filter((m) => !m.nextAttemptAt || m.nextAttemptAt <= now);
    if (!due.length) return;
    const client = this.clients.forTenant(tenant);
    for (const entity of ['invoice', 'inventory-bill'] as const) {
      const marks = due.filter((m) => m.entity === entity);
      for (let i = 0; i < marks.length && proceed(); i += MARK_EXPORTED_BATCH_SIZE) {
        const batch = marks.slice(i, i + MARK_EXPORTED_BATCH_SIZE);
        let results: Array<{ id: number; success: boolean; errorMessage?: string | null }>;
        try {
          results =
            entity === 'invoice'
              ? (
                  await client.markInvoicesExported(
                    batch.map((m) => ({
                      invoiceId: m.id,
                      externalId: m.x3DocumentNumber,
                      externalMessage: m.externalMessage,
                    })),
                  )
                ).map((r) => ({ id: r.invoiceId, success: r.success, errorMessage: r.errorMessage }))
              : (await client.markInventoryBillsExported(batch.map((m) => m.id))).map((r) => ({
                  id: r.inventoryBillId,
                  success: r.success,
                  errorMessage: r.errorMessage,
                }));
        } catch (e) {
          // A lost answer is safe to repeat: marking as exported again sets the same state.
          await Promise.all(batch.map((m) => this.failedAttempt(m, (e as Error).message)));
          continue;
        }
        const byId = new Map(results.map((r) => [r.id, r]));
        await Promise.all(
          batch.map((m) => {
            const r = byId.get(m.id);
            if (r?.success) return this.done(m);
            return this.failedAttempt(m, r?.errorMessage ?? "no result for this record in ServiceTitan's answer");
          }),
        );
      }
    }
  }

  private async done(m: PendingMark): Promise<void> {
    this.outcomes.inc({ tenant: m.tenant, entity: m.entity, outcome: 'done' });
    const { tenant, ...state } = m;
    await this.put(tenant, {
      ...state,
      status: 'done',
      attempts: m.attempts + 1,
      lastError: null,
      nextAttemptAt: null,
      updatedAt: new Date().toISOString(),
    });
  }

  private async failedAttempt(m: PendingMark, error: string): Promise<void> {
    const attempts = m.attempts + 1;
    const failed = attempts >= this.env.ST_WRITE_BACK_ATTEMPTS;
    this.outcomes.inc({ tenant: m.tenant, entity: m.entity, outcome: failed ? 'failed' : 'retry' });
    this.logger.warn({ msg: 'write-back not confirmed', entity: m.entity, id: m.id, attempts, failed, error });
    const { tenant, ...state } = m;
    await this.put(tenant, {
      ...state,
      status: failed ? 'failed' : 'pending',
      attempts,
      lastError: error.slice(0, 1000),
      nextAttemptAt: failed
        ? null
        : new Date(Date.now() + backoffDelayMs(attempts, { initialMs: 1000, maxMs: 300_000 })).toISOString(),
      updatedAt: new Date().toISOString(),
    });
  }

  private async put(tenant: string, state: WriteBackStateV1): Promise<void> {
    await this.view.put(
      this.keyOf(tenant, state.entity, state.id),
      createEnvelope({ type: ST_WRITE_BACK_STATE, tenant, source: 'poll', payload: state }),
    );
  }

  private keyOf(tenant: string, entity: string, id: number): string {
    return `${tenant}:${entity}:${id}`;
  }
}
