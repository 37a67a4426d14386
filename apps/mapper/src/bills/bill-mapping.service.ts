import { TenantRegistry } from '@connector/config';
import {
  createCausedEnvelope,
  Headers as H,
  MAPPING_REJECTED,
  recordKey,
  ServiceTitanInventoryBillRevisionV1,
  SUPPLIER_INVOICE_REQUESTED,
  Topics,
} from '@connector/contracts';
import { BusContext, MessagePublisher, PermanentMessageError } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { ServiceTitanLookups } from '../servicetitan/servicetitan-lookups.service';
import { billStream } from '../state/mapper-checkpoint.state';
import { MapperState } from '../state/mapper-state.service';
import { decideBill } from './bill-mapping.decider';

/** servicetitan.inventory-bill.v1 → connector.supplier-invoice.requested.v1 (or mapping.rejected). */
@Injectable()
export class BillMappingService {
  private readonly logger = new Logger('bill-mapping');

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly rules: MappingRulesRegistry,
    private readonly state: MapperState,
    private readonly publisher: MessagePublisher,
    private readonly st: ServiceTitanLookups,
  ) {}

  async handle(ctx: BusContext<ServiceTitanInventoryBillRevisionV1>): Promise<void> {
    const cause = ctx.envelope;
    const tenant = this.tenants.get(cause.tenant);
    if (!tenant) throw new PermanentMessageError(`unknown tenant "${cause.tenant}"`);
    const bill = cause.payload;
    const key = recordKey(cause.tenant, 'bill', bill.billId);
    const decision = await decideBill({
      tenant: cause.tenant,
      bill,
      messageId: cause.id,
      isReplay: Boolean(ctx.headers[H.ReplayId]),
      rules: this.rules.get(cause.tenant),
      x3: { site: tenant.sageX3.site, currency: tenant.sageX3.currency },
      cache: this.state.cache,
      state: this.state.bill(cause.tenant, bill.billId),
      purchaseOrderNumber: (poId) => this.st.purchaseOrderNumber(cause.tenant, poId),
    });
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
  }
}
