import { TenantConfig } from '@connector/config';
import {
  createCausedEnvelope,
  MAPPING_REJECTED,
  MessageEnvelope,
  recordKey,
  ServiceTitanInventoryBillRevisionV1,
  SUPPLIER_INVOICE_REQUESTED,
  Topics,
} from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { JobMappingService, JobTrigger } from '../jobs/job-mapping.service';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { billStream } from '../state/mapper-checkpoint.state';
import { MapperState } from '../state/mapper-state.service';
import { SourceRecordsState } from '../state/source-records.state';
import { BillDecision, decideBill } from './bill-mapping.decider';

/** Inventory bill revisions (`servicetitan.records.v1`) → `connector.supplier-invoice.requested.v1` (or rejected). */
@Injectable()
export class BillMappingService {
  private readonly logger = new Logger('bill-mapping');

  constructor(
    private readonly rules: MappingRulesRegistry,
    private readonly state: MapperState,
    private readonly records: SourceRecordsState,
    private readonly jobs: JobMappingService,
    private readonly publisher: MessagePublisher,
  ) {}

  async decide(
    tenant: TenantConfig,
    bill: ServiceTitanInventoryBillRevisionV1,
    trigger: JobTrigger,
  ): Promise<BillDecision> {
    const cause: MessageEnvelope<unknown> = trigger.cause;
    // The bill's purchase order was published before it, maybe on another partition this view has not read yet.
    const poId = bill.purchaseOrderId;
    if (poId && !this.records.purchaseOrder(tenant.id, poId)) await this.records.view.sync();
    const decision = decideBill({
      tenant: tenant.id,
      bill,
      messageId: cause.id,
      isReplay: trigger.isReplay,
      rules: this.rules.get(tenant.id),
      x3: { site: tenant.sageX3.site, currency: tenant.sageX3.currency, timeZone: tenant.timeZone },
      cache: this.state.cache,
      state: this.state.bill(tenant.id, bill.billId),
      purchaseOrderNumber: (id) => this.records.purchaseOrder(tenant.id, id)?.number ?? null,
      goLive: this.jobs.policy(tenant),
      release: trigger.release,
      quietHold: trigger.quietHold,
    });
    if (trigger.dryRun) return decision;
    const key = recordKey(tenant.id, 'bill', bill.billId);
    if (decision.request) {
      await this.publisher.publish(
        Topics.SupplierInvoiceRequested,
        createCausedEnvelope(cause, {
          type: SUPPLIER_INVOICE_REQUESTED,
          source: 'mapper',
          payload: decision.request,
          occurredAt: cause.occurredAt,
        }),
        { key },
      );
    }
    if (decision.rejection) {
      await this.publisher.publish(
        Topics.MappingRejected,
        createCausedEnvelope(cause, {
          type: MAPPING_REJECTED,
          source: 'mapper',
          payload: decision.rejection,
          occurredAt: cause.occurredAt,
        }),
        { key },
      );
    }
    if (decision.nextState)
      await this.state.saveCheckpoint(cause, billStream(bill.billId), decision.nextState, `R${bill.revision}`);
    const log = {
      msg: `bill ${bill.billId} R${bill.revision}: ${decision.note}`,
      outcome: decision.outcome,
      billId: bill.billId,
    };
    if (decision.outcome === 'rejected' || decision.outcome === 'void-noted') this.logger.warn(log);
    else this.logger.log(log);
    return decision;
  }
}
