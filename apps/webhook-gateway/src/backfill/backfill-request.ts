import { randomUUID } from 'node:crypto';
import {
  BACKFILL_REPORT,
  BACKFILL_STATUS,
  BackfillCommandV1,
  BackfillReportV1,
  BackfillStatusV1,
  createEnvelope,
  ST_BACKFILL_COMMAND,
  Topics,
} from '@connector/contracts';
import { Decimal, toDecimal } from '@connector/decimal';
import { CompactedTopicView, MessagePublisher, StateViews } from '@connector/messaging';
import { sleep } from '@connector/util';

export type BackfillRecord =
  | { type: typeof BACKFILL_STATUS; payload: BackfillStatusV1 }
  | { type: typeof BACKFILL_REPORT; payload: BackfillReportV1 };

export interface BackfillRequest {
  tenant: string;
  from: string;
  to: string;
  dryRun: boolean;
  requestedBy?: string;
  /** How long to wait for the owner and the mapper (ms). */
  timeoutMs: number;
}

export interface BackfillCounts {
  considered: number;
  toPost: number;
  alreadyPosted: number;
  rejected: number;
  waiting: number;
}

/** The partitions' reports summed: what the backfill posts (or, in a dry run, would post). */
export interface BackfillSummary {
  requestId: string;
  tenant: string;
  from: string;
  to: string;
  dryRun: boolean;
  loaded: BackfillStatusV1['loaded'];
  jobs: BackfillCounts;
  bills: BackfillCounts;
  rejections: Record<string, number>;
  lines: Array<{ costCenter: string | null; account: string; debit: string; credit: string }>;
  suppliers: Array<{ supplier: string; count: number; amount: string }>;
}

/** The compacted backfill topic, as the CLI reads it (statuses and reports). */
export function openBackfillView(views: StateViews): CompactedTopicView<BackfillRecord> {
  return views.open({
    topic: Topics.Backfill,
    name: 'backfill-requests',
    decode: (e) => ({ type: e.type, payload: e.payload }) as BackfillRecord,
  });
}

/**
 * `npm run backfill`: publishes the `backfill` command for the tenant's ServiceTitan owner, then waits on
 * `connector.backfill.v1` for the owner's `loaded` status (how many partitions report) and every partition's report
 * from the mapper, and sums them.
 */
export async function requestBackfill(
  publisher: MessagePublisher,
  view: CompactedTopicView<BackfillRecord>,
  request: BackfillRequest,
): Promise<BackfillSummary> {
  await view.ready();
  const requestId = randomUUID();
  const command: BackfillCommandV1 = {
    requestId,
    from: request.from,
    to: request.to,
    dryRun: request.dryRun,
    requestedBy: request.requestedBy ?? null,
  };
  await publisher.publish(
    Topics.StCommand,
    createEnvelope({ type: ST_BACKFILL_COMMAND, tenant: request.tenant, source: 'manual', payload: command }),
    { key: request.tenant },
  );
  const deadline = Date.now() + request.timeoutMs;
  const statusKey = `${request.tenant}:${requestId}`;
  for (;;) {
    const status = view.get(statusKey);
    if (status?.type === BACKFILL_STATUS && status.payload.phase === 'failed')
      throw new Error(`backfill ${requestId} failed: ${status.payload.error ?? 'no reason given'}`);
    if (status?.type === BACKFILL_STATUS && status.payload.phase === 'loaded' && status.payload.partitions) {
      const reports: BackfillReportV1[] = [];
      for (let p = 0; p < status.payload.partitions; p++) {
        const r = view.get(`${statusKey}:p${p}`);
        if (r?.type === BACKFILL_REPORT) reports.push(r.payload);
      }
      if (reports.length === status.payload.partitions) return summarize(request, status.payload, reports);
    }
    if (Date.now() > deadline)
      throw new Error(
        `backfill ${requestId}: no complete report within ${request.timeoutMs} ms (last status: ${status?.type === BACKFILL_STATUS ? status.payload.phase : 'none'}); is a webhook-gateway running for tenant ${request.tenant}, and the mapper?`,
      );
    await sleep(200);
  }
}

function summarize(request: BackfillRequest, status: BackfillStatusV1, reports: BackfillReportV1[]): BackfillSummary {
  const zero = (): BackfillCounts => ({ considered: 0, toPost: 0, alreadyPosted: 0, rejected: 0, waiting: 0 });
  const add = (a: BackfillCounts, b: BackfillCounts) => {
    for (const k of Object.keys(a) as Array<keyof BackfillCounts>) a[k] += b[k];
  };
  const jobs = zero();
  const bills = zero();
  const rejections: Record<string, number> = {};
  const lines = new Map<string, { costCenter: string | null; account: string; debit: Decimal; credit: Decimal }>();
  const suppliers = new Map<string, { count: number; amount: Decimal }>();
  for (const r of reports) {
    add(jobs, r.jobs);
    add(bills, r.bills);
    for (const x of r.rejections) rejections[x.code] = (rejections[x.code] ?? 0) + x.count;
    for (const l of r.lines) {
      const key = `${l.costCenter ?? ''}|${l.account}`;
      const t = lines.get(key) ?? {
        costCenter: l.costCenter ?? null,
        account: l.account,
        debit: new Decimal(0),
        credit: new Decimal(0),
      };
      t.debit = t.debit.plus(toDecimal(l.debit));
      t.credit = t.credit.plus(toDecimal(l.credit));
      lines.set(key, t);
    }
    for (const s of r.suppliers) {
      const t = suppliers.get(s.supplier) ?? { count: 0, amount: new Decimal(0) };
      t.count += s.count;
      t.amount = t.amount.plus(toDecimal(s.amount));
      suppliers.set(s.supplier, t);
    }
  }
  return {
    requestId: status.requestId,
    tenant: request.tenant,
    from: status.from,
    to: status.to,
    dryRun: status.dryRun,
    loaded: status.loaded ?? null,
    jobs,
    bills,
    rejections,
    lines: [...lines.values()]
      .sort((a, b) => (a.costCenter ?? '').localeCompare(b.costCenter ?? '') || a.account.localeCompare(b.account))
      .map((l) => ({ ...l, debit: l.debit.toFixed(2), credit: l.credit.toFixed(2) })),
    suppliers: [...suppliers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([supplier, s]) => ({ supplier, count: s.count, amount: s.amount.toFixed(2) })),
  };
}

/** The report as the CLI prints it. */
export function formatBackfillSummary(s: BackfillSummary): string {
  const out: string[] = [];
  const counts = (what: string, c: BackfillCounts) =>
    `${what}: ${c.toPost} ${s.dryRun ? 'would be posted' : 'posted'}, ${c.alreadyPosted} already posted (skipped), ${c.rejected} rejected, ${c.waiting} not ready (of ${c.considered} in the window)`;
  out.push(
    `Backfill ${s.requestId} of tenant ${s.tenant}, business dates ${s.from} to ${s.to}${s.dryRun ? ' (DRY RUN: nothing posted)' : ''}`,
  );
  if (s.loaded)
    out.push(
      `Loaded from ServiceTitan: ${s.loaded.jobs} jobs, ${s.loaded.invoices} invoices, ${s.loaded.grossPayItems} gross pay items, ${s.loaded.inventoryBills} inventory bills (new to Kafka)`,
    );
  out.push(counts('Journal entries', s.jobs), counts('Supplier invoices', s.bills));
  const reasons = Object.entries(s.rejections);
  if (reasons.length) out.push(`Rejections: ${reasons.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  if (s.lines.length) {
    out.push('', `${'Cost center'.padEnd(14)}${'Account'.padEnd(12)}${'Debit'.padStart(16)}${'Credit'.padStart(16)}`);
    let debit = new Decimal(0);
    let credit = new Decimal(0);
    for (const l of s.lines) {
      out.push(
        `${(l.costCenter ?? '-').padEnd(14)}${l.account.padEnd(12)}${l.debit.padStart(16)}${l.credit.padStart(16)}`,
      );
      debit = debit.plus(l.debit);
      credit = credit.plus(l.credit);
    }
    out.push(`${'Total'.padEnd(26)}${debit.toFixed(2).padStart(16)}${credit.toFixed(2).padStart(16)}`);
  }
  if (s.suppliers.length) {
    out.push('', `${'Supplier'.padEnd(14)}${'Invoices'.padStart(10)}${'Amount'.padStart(16)}`);
    for (const x of s.suppliers)
      out.push(`${x.supplier.padEnd(14)}${String(x.count).padStart(10)}${x.amount.padStart(16)}`);
  }
  return out.join('\n');
}
