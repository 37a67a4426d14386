import { TenantRegistry } from '@connector/config';
import {
  jobKey,
  MessageEnvelope,
  recordKey,
  ServiceTitanGrossPayItemRecordV1,
  ServiceTitanInventoryBillRevisionV1,
  ServiceTitanInvoiceRecordV1,
  ServiceTitanJobRecordV1,
  ServiceTitanPurchaseOrderRevisionV1,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVENTORY_BILL_REVISION,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_PURCHASE_ORDER_REVISION,
  Topics,
} from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { Injectable } from '@nestjs/common';

/** What the mapper keeps of a record of `servicetitan.records.v1` (the payload; envelopes are not kept). */
export type SourceRecord =
  | { type: typeof ST_JOB_RECORD; tenant: string; payload: ServiceTitanJobRecordV1 }
  | { type: typeof ST_INVOICE_RECORD; tenant: string; payload: ServiceTitanInvoiceRecordV1 }
  | { type: typeof ST_GROSS_PAY_ITEM_RECORD; tenant: string; payload: ServiceTitanGrossPayItemRecordV1 }
  | { type: typeof ST_INVENTORY_BILL_REVISION; tenant: string; payload: ServiceTitanInventoryBillRevisionV1 }
  | { type: typeof ST_PURCHASE_ORDER_REVISION; tenant: string; payload: ServiceTitanPurchaseOrderRevisionV1 };

/** Kept by the view: the records the mapping reads (vendors, markers and removals are not). */
const KEPT = new Set<string>([
  ST_JOB_RECORD,
  ST_INVOICE_RECORD,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVENTORY_BILL_REVISION,
  ST_PURCHASE_ORDER_REVISION,
]);

/** One job with its costs: the join of a job's records (each the newest version by source modifiedOn). */
export interface JobSources {
  job: ServiceTitanJobRecordV1 | undefined;
  /** By record key. */
  invoices: Map<string, ServiceTitanInvoiceRecordV1>;
  grossPayItems: Map<string, ServiceTitanGrossPayItemRecordV1>;
}

export function emptyJobSources(): JobSources {
  return { job: undefined, invoices: new Map(), grossPayItems: new Map() };
}

/** The record keys and source versions of a job's inputs (what a decision used). */
export function sourceVersions(tenant: string, jobId: number, s: JobSources): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.job) out[jobKey(tenant, jobId)] = s.job.modifiedOn;
  for (const [k, v] of s.invoices) out[k] = v.modifiedOn;
  for (const [k, v] of s.grossPayItems) out[k] = v.modifiedOn;
  return out;
}

/**
 * The ServiceTitan side of the mapping as state rebuilt from Kafka: a view of the compacted `servicetitan.records.v1`
 * (every instance holds every record of this deployment's tenants, like the master data), with each job joined to its
 * invoices and gross pay items. A record's newest version by source modifiedOn wins in the join (an older version
 * published later by a previous owner never replaces it); a removal takes the record off its job.
 *
 * Memory: about 0.5 KB per job, 1–2 KB per invoice (by its items), 0.3 KB per gross pay item, 1 KB per bill or
 * purchase order, since each tenant's go-live date (docs/architecture.md).
 */
@Injectable()
export class SourceRecordsState {
  readonly view: CompactedTopicView<SourceRecord>;
  private readonly jobs = new Map<string, JobSources>();

  constructor(views: StateViews, tenants: TenantRegistry) {
    const served = new Set(tenants.list().map((t) => t.id));
    this.view = views.open({
      topic: Topics.StRecords,
      name: 'servicetitan-records',
      filter: (e) => served.has(e.tenant) && KEPT.has(e.type),
      decode: (e: MessageEnvelope<unknown>) => ({ type: e.type, tenant: e.tenant, payload: e.payload }) as SourceRecord,
    });
    this.view.onChange((c) => this.index(c.key, c.value, c.previous));
  }

  /** The job and its costs (a fresh, empty join when nothing arrived yet). */
  job(tenant: string, jobId: number): JobSources {
    return this.jobs.get(jobKey(tenant, jobId)) ?? emptyJobSources();
  }

  /** Job ids of a tenant that have any record. */
  jobIds(tenant: string): number[] {
    const prefix = `${tenant}:job:`;
    const out: number[] = [];
    for (const key of this.jobs.keys()) if (key.startsWith(prefix)) out.push(Number(key.slice(prefix.length)));
    return out;
  }

  bill(tenant: string, billId: number): ServiceTitanInventoryBillRevisionV1 | undefined {
    const r = this.view.get(recordKey(tenant, 'bill', billId));
    return r?.type === ST_INVENTORY_BILL_REVISION ? r.payload : undefined;
  }

  billIds(tenant: string): number[] {
    const out: number[] = [];
    for (const r of this.view.values())
      if (r.tenant === tenant && r.type === ST_INVENTORY_BILL_REVISION) out.push(r.payload.billId);
    return out;
  }

  purchaseOrder(tenant: string, purchaseOrderId: number): ServiceTitanPurchaseOrderRevisionV1 | undefined {
    const r = this.view.get(recordKey(tenant, 'purchase-order', purchaseOrderId));
    return r?.type === ST_PURCHASE_ORDER_REVISION ? r.payload : undefined;
  }

  private index(key: string, value: SourceRecord | undefined, previous: SourceRecord | undefined): void {
    const record = value ?? previous;
    if (!record) return;
    if (record.type !== ST_JOB_RECORD && record.type !== ST_INVOICE_RECORD && record.type !== ST_GROSS_PAY_ITEM_RECORD)
      return;
    const jk = jobKey(record.tenant, record.payload.jobId);
    let sources = this.jobs.get(jk);
    if (!value) {
      // Removed (moved to another job): the job lost this cost.
      if (!sources) return;
      if (record.type === ST_INVOICE_RECORD) sources.invoices.delete(key);
      else if (record.type === ST_GROSS_PAY_ITEM_RECORD) sources.grossPayItems.delete(key);
      return;
    }
    if (!sources) {
      sources = emptyJobSources();
      this.jobs.set(jk, sources);
    }
    const newer = <T extends { modifiedOn: string }>(current: T | undefined, next: T) =>
      current && current.modifiedOn > next.modifiedOn ? current : next;
    if (value.type === ST_JOB_RECORD) sources.job = newer(sources.job, value.payload);
    else if (value.type === ST_INVOICE_RECORD)
      sources.invoices.set(key, newer(sources.invoices.get(key), value.payload));
    else if (value.type === ST_GROSS_PAY_ITEM_RECORD)
      sources.grossPayItems.set(key, newer(sources.grossPayItems.get(key), value.payload));
  }
}
