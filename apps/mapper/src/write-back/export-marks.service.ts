import { TenantRegistry } from '@connector/config';
import {
  createCausedEnvelope,
  MarkExportedCommandV1,
  MessageEnvelope,
  PostingResultV1,
  ST_MARK_EXPORTED,
  Topics,
} from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { MapperState } from '../state/mapper-state.service';
import { SourceRecordsState } from '../state/source-records.state';

/**
 * Write-back (tenants file `servicetitan.writeBack.enabled`, off by default): once X3 confirmed a document (posted, or
 * duplicate-skipped because it was already there), ask the tenant's ServiceTitan owner to mark its source as exported
 * with the X3 document number: the job's invoice, or the inventory bill. Only the document in effect counts (not a
 * reversal, not a revision already replaced).
 */
@Injectable()
export class ExportMarksService {
  private readonly logger = new Logger('write-back');

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly state: MapperState,
    private readonly records: SourceRecordsState,
    private readonly publisher: MessagePublisher,
  ) {}

  async onResult(cause: MessageEnvelope<PostingResultV1>): Promise<void> {
    const tenant = this.tenants.get(cause.tenant);
    const r = cause.payload;
    if (!tenant?.servicetitan.writeBack.enabled) return;
    if ((r.status !== 'posted' && r.status !== 'duplicate-skipped') || !r.x3DocumentNumber) return;
    const id = Number(r.source.id);
    let mark: MarkExportedCommandV1 | null = null;
    if (r.source.kind === 'job' && this.state.job(tenant.id, id).postedRef === r.externalRef) {
      const sources = this.records.job(tenant.id, id);
      const invoiceId = sources.job?.invoiceId ?? [...sources.invoices.values()][0]?.invoiceId;
      if (invoiceId)
        mark = { entity: 'invoice', id: invoiceId, x3DocumentNumber: r.x3DocumentNumber, externalRef: r.externalRef };
    } else if (r.source.kind === 'inventory-bill' && this.state.bill(tenant.id, id).requestedRef === r.externalRef) {
      mark = { entity: 'inventory-bill', id, x3DocumentNumber: r.x3DocumentNumber, externalRef: r.externalRef };
    }
    if (!mark) return;
    await this.publisher.publish(
      Topics.StCommand,
      createCausedEnvelope(cause, { type: ST_MARK_EXPORTED, source: 'mapper', payload: mark }),
      { key: tenant.id },
    );
    this.logger.log({
      msg: 'asked ServiceTitan to mark the source exported',
      entity: mark.entity,
      id: mark.id,
      document: r.x3DocumentNumber,
    });
  }
}
