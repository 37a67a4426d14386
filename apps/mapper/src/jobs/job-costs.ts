import { toDecimal } from '@connector/decimal';
import { MappingRules } from '../rules/mapping-rules';
import { JobSources } from '../state/source-records.state';
import { CostKind, itemCost, JobCost } from './journal-entry.builder';

/** Which gross pay items are a job's labor (tenants file `servicetitan.labor`; docs/mapping-rules.md). */
export interface LaborRule {
  grossPayItemTypes: readonly string[];
  activeOnly: boolean;
}

/**
 * A job's costs from the join: material, equipment and other costs (and, with `labor.source: invoice-items`, labor)
 * from the items of its active invoices by item type, and labor from its gross pay items of the labor types (active
 * ones unless the tenant says otherwise).
 */
export function jobCosts(sources: JobSources, rules: MappingRules, labor: LaborRule): JobCost[] {
  const out: JobCost[] = [];
  const invoices = [...sources.invoices.values()].filter((i) => i.active).sort((a, b) => a.invoiceId - b.invoiceId);
  for (const invoice of invoices)
    for (const item of invoice.items) {
      const kind: CostKind | undefined = rules.invoiceItemKinds[item.type];
      if (!kind) continue;
      out.push({
        kind,
        amount: itemCost(item),
        stAccount: item.costOfSaleAccount ?? item.generalLedgerAccount ?? null,
        sourceRef: `invoice-item:${item.id}`,
      });
    }
  if (rules.labor.source === 'gross-pay-items')
    for (const g of [...sources.grossPayItems.values()].sort((a, b) => a.grossPayItemId - b.grossPayItemId)) {
      if (labor.activeOnly && !g.active) continue;
      if (!labor.grossPayItemTypes.includes(g.grossPayItemType)) continue;
      out.push({
        kind: 'labor',
        amount: toDecimal(g.amount),
        stAccount: null,
        sourceRef: `gross-pay-item:${g.grossPayItemId}`,
      });
    }
  return out;
}

/** When the job's labor last changed (source time), for `labor.settleMinutes`. */
export function lastLaborChange(sources: JobSources): string | null {
  let last: string | null = null;
  for (const g of sources.grossPayItems.values()) if (!last || g.modifiedOn > last) last = g.modifiedOn;
  return last;
}
