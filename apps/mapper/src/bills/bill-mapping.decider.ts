import {
  MappingRejectedV1,
  ServiceTitanInventoryBillRevisionV1,
  SupplierInvoiceLineDto,
  SupplierInvoiceRequestedV1,
  Topics,
} from '@connector/contracts';
import { toDecimal, toDecimalString } from '@connector/decimal';
import { localDate } from '@connector/util';
import { JobPolicy } from '../jobs/job-mapping.decider';
import { billBusinessDate } from '../common/business-date';
import { externalRef } from '../common/external-ref';
import { Reason, ReasonCodes, uniqueReasons } from '../common/rejection-reasons';
import { MappingRules, renderTemplate } from '../rules/mapping-rules';
import { BillCheckpointState } from '../state/mapper-checkpoint.state';
import { MasterDataCache } from '../state/master-data.cache';

export interface BillDecisionInput {
  tenant: string;
  bill: ServiceTitanInventoryBillRevisionV1;
  messageId: string;
  isReplay: boolean;
  rules: MappingRules | undefined;
  /** timeZone: the tenant's IANA zone (accounting dates); default UTC. */
  x3: { site: string; currency: string; timeZone?: string };
  cache: MasterDataCache;
  state: BillCheckpointState;
  /** ServiceTitan PO number of a PO id (only asked when the rules' template needs {number}); null = not found. */
  purchaseOrderNumber: (purchaseOrderId: number) => string | null;
  /** Go-live date and approved backfill windows (the bill date is the business date). */
  goLive: Pick<JobPolicy, 'syncFrom' | 'approved'>;
  /** A backfill deciding this bill: the window it releases. */
  release?: { requestId: string; from: string; to: string } | null;
  /** A record a backfill loaded before its marker: holding it is silent. */
  quietHold?: boolean;
}

export type BillOutcomeKind =
  | 'held'
  | 'stale'
  | 'unchanged'
  | 'ignored'
  | 'rejected'
  | 'requested'
  | 'superseded'
  | 'void-noted';

export interface BillDecision {
  outcome: BillOutcomeKind;
  request: SupplierInvoiceRequestedV1 | null;
  rejection: MappingRejectedV1 | null;
  nextState: BillCheckpointState | null;
  note: string;
}

/** Supplier: explicit vendor mapping first, else a unique exact name match among X3 suppliers. */
function resolveSupplier(input: BillDecisionInput, rules: MappingRules): { code: string | null; reasons: Reason[] } {
  const { bill, tenant, cache } = input;
  const mapped =
    bill.vendorId !== null && bill.vendorId !== undefined
      ? rules.suppliers.byVendorId[String(bill.vendorId)]
      : undefined;
  let code: string | null = null;
  if (mapped) {
    code = mapped;
  } else if (rules.suppliers.matchByName && bill.vendorName) {
    const matches = cache.suppliersNamed(tenant, bill.vendorName);
    if (matches.length > 1) {
      return {
        code: null,
        reasons: [
          {
            code: ReasonCodes.SupplierAmbiguous,
            message: `${matches.length} X3 suppliers are named "${bill.vendorName}" (${matches.map((m) => m.code).join(', ')}); map vendor ${bill.vendorId ?? '?'} explicitly`,
            field: 'vendorName',
          },
        ],
      };
    }
    code = matches[0]?.code ?? null;
  }
  if (!code) {
    return {
      code: null,
      reasons: [
        {
          code: ReasonCodes.SupplierUnmapped,
          message: `vendor ${bill.vendorId ?? '?'} "${bill.vendorName ?? ''}" has no X3 supplier (no mapping, no supplier with that exact name)`,
          field: 'vendorId',
        },
      ],
    };
  }
  const supplier = cache.supplier(tenant, code);
  if (!supplier)
    return {
      code: null,
      reasons: [
        { code: ReasonCodes.SupplierUnknown, message: `X3 supplier ${code} does not exist`, field: 'vendorId' },
      ],
    };
  if (!supplier.active)
    return {
      code: null,
      reasons: [{ code: ReasonCodes.SupplierInactive, message: `X3 supplier ${code} is inactive`, field: 'vendorId' }],
    };
  return { code, reasons: [] };
}

function resolvePurchaseOrderNumber(
  input: BillDecisionInput,
  rules: MappingRules,
): { number: string | null; reasons: Reason[] } {
  const poId = input.bill.purchaseOrderId;
  if (poId === null || poId === undefined) {
    return {
      number: null,
      reasons: [
        {
          code: ReasonCodes.PurchaseOrderMissing,
          message: 'the bill has no purchase order: an unmatched supplier invoice needs one',
          field: 'purchaseOrderId',
        },
      ],
    };
  }
  const explicit = rules.purchaseOrders.byServiceTitanId[String(poId)];
  if (explicit) return { number: explicit, reasons: [] };
  let stNumber: string | null = null;
  if (rules.purchaseOrders.numberTemplate.includes('{number}')) {
    stNumber = input.purchaseOrderNumber(poId);
    if (!stNumber)
      return {
        number: null,
        reasons: [
          {
            code: ReasonCodes.PurchaseOrderUnknown,
            message: `ServiceTitan purchase order ${poId} was not found`,
            field: 'purchaseOrderId',
          },
        ],
      };
  }
  return { number: renderTemplate(rules.purchaseOrders.numberTemplate, { id: poId, number: stNumber }), reasons: [] };
}

/**
 * Decides what one inventory bill revision produces: a supplier invoice request against the mapped X3 supplier and
 * purchase order (a correction supersedes the earlier request), a rejection with reasons, or an audit note for a
 * bill voided after it was requested (X3 credit notes are out of scope: AP handles those by hand).
 */
export function decideBill(input: BillDecisionInput): BillDecision {
  const { tenant, bill, state } = input;
  const none = (outcome: BillOutcomeKind, note: string): BillDecision => ({
    outcome,
    request: null,
    rejection: null,
    nextState: null,
    note,
  });
  if (bill.revision < state.lastSeenRevision)
    return none('stale', `revision ${bill.revision} is older than ${state.lastSeenRevision}`);
  if (bill.modifiedOn && state.sourceModifiedOn && bill.modifiedOn < state.sourceModifiedOn)
    return none('stale', `version of ${bill.modifiedOn} is older than the one seen (${state.sourceModifiedOn})`);
  if (!input.isReplay && state.requestedRef && state.contentHash === bill.contentHash && !bill.voided)
    return none('unchanged', `same content as ${state.requestedRef}`);
  const zone = input.x3.timeZone ?? 'UTC';
  const day = billBusinessDate(bill, zone) ?? '';
  const release = input.release && input.release.from <= day && day <= input.release.to ? input.release : null;
  const releasedBy = release?.requestId ?? state.releasedBy ?? null;
  const seen = {
    lastSeenRevision: Math.max(state.lastSeenRevision, bill.revision),
    sourceModifiedOn: bill.modifiedOn ?? state.sourceModifiedOn ?? null,
    releasedBy,
  };
  const { syncFrom } = input.goLive;
  if (syncFrom && day && day < syncFrom && !state.requestedRef && !releasedBy && !input.goLive.approved(day)) {
    const note = `bill date ${day} is before the go-live date ${syncFrom}: held`;
    if (input.quietHold || (state.lastOutcome === 'held' && !input.isReplay)) return none('held', note);
    return {
      outcome: 'held',
      request: null,
      rejection: {
        source: { kind: 'inventory-bill', id: String(bill.billId), revision: bill.revision },
        sourceTopic: Topics.StRecords,
        sourceMessageId: input.messageId,
        reasons: [
          {
            code: ReasonCodes.BeforeGoLive,
            message: `bill date ${day} is before the go-live date ${syncFrom}: not posted (a backfill can post it)`,
            field: 'billDate',
          },
        ],
        hold: true,
      },
      nextState: { ...state, ...seen, version: state.version + 1, lastOutcome: 'held' },
      note,
    };
  }
  const rejection = (reasons: Reason[]): MappingRejectedV1 => ({
    source: { kind: 'inventory-bill', id: String(bill.billId), revision: bill.revision },
    sourceTopic: Topics.StRecords,
    sourceMessageId: input.messageId,
    reasons: uniqueReasons(reasons),
  });

  if (bill.voided) {
    if (!state.requestedRef)
      return {
        ...none('ignored', 'voided before it was ever requested'),
        nextState: { ...state, ...seen, version: state.version + 1, lastOutcome: 'voided' },
      };
    if (state.voidNoted && !input.isReplay) return none('unchanged', 'void already noted');
    return {
      outcome: 'void-noted',
      request: null,
      rejection: rejection([
        {
          code: ReasonCodes.BillVoidedAfterPosting,
          message: `bill ${bill.billId} was voided in ServiceTitan after ${state.requestedRef} was requested: reverse it in X3 (credit note) by hand`,
        },
      ]),
      nextState: { ...state, ...seen, version: state.version + 1, voidNoted: true, lastOutcome: 'voided' },
      note: `voided after ${state.requestedRef}`,
    };
  }

  const reject = (reasons: Reason[]): BillDecision => ({
    outcome: 'rejected',
    request: null,
    rejection: rejection(reasons),
    nextState: { ...state, ...seen, version: state.version + 1, lastOutcome: 'rejected' },
    note: `rejected: ${reasons.map((r) => r.code).join(', ')}`,
  });
  const rules = input.rules;
  if (!rules)
    return reject([
      { code: ReasonCodes.RulesMissing, message: `tenant ${tenant} has no mapping rules (mappingRulesFile)` },
    ]);

  const supplier = resolveSupplier(input, rules);
  const po = resolvePurchaseOrderNumber(input, rules);
  const reasons: Reason[] = [...supplier.reasons, ...po.reasons];
  const order = po.number ? input.cache.purchaseOrder(tenant, po.number) : undefined;
  if (po.number && !order)
    reasons.push({
      code: ReasonCodes.PurchaseOrderUnknown,
      message: `X3 purchase order ${po.number} does not exist`,
      field: 'purchaseOrderId',
    });
  else if (order && !order.active)
    reasons.push({
      code: ReasonCodes.PurchaseOrderInactive,
      message: `X3 purchase order ${order.code} is inactive (closed)`,
      field: 'purchaseOrderId',
    });
  if (order && supplier.code && order.supplier !== supplier.code) {
    reasons.push({
      code: ReasonCodes.PurchaseOrderSupplierMismatch,
      message: `X3 purchase order ${order.code} belongs to supplier ${order.supplier}, not ${supplier.code}`,
      field: 'purchaseOrderId',
    });
  }

  const lines: SupplierInvoiceLineDto[] = [];
  const used = new Set<number>();
  bill.items.forEach((item, i) => {
    const field = `items[${i}]`;
    if (toDecimal(item.quantity).isZero()) return;
    if (!item.skuCode) {
      reasons.push({
        code: ReasonCodes.PoLineUnmatched,
        message: `bill item ${item.id} has no SKU code to match a purchase order line`,
        field: `${field}.skuCode`,
      });
      return;
    }
    const product = rules.products[item.skuCode] ?? item.skuCode;
    const x3Product = input.cache.product(tenant, product);
    if (!x3Product)
      reasons.push({
        code: ReasonCodes.ProductUnknown,
        message: `X3 product ${product} (SKU ${item.skuCode}) does not exist`,
        field: `${field}.skuCode`,
      });
    else if (!x3Product.active)
      reasons.push({
        code: ReasonCodes.ProductInactive,
        message: `X3 product ${product} is inactive`,
        field: `${field}.skuCode`,
      });
    if (!order) return;
    // Several PO lines may carry the same product: each bill item takes the next one not yet used.
    const candidates = order.lines.filter((l) => l.product === product);
    const line = candidates.find((l) => !used.has(l.line)) ?? candidates[0];
    if (!line) {
      reasons.push({
        code: ReasonCodes.PoLineUnmatched,
        message: `X3 purchase order ${order.code} has no line for product ${product}`,
        field: `${field}.skuCode`,
      });
      return;
    }
    used.add(line.line);
    lines.push({
      purchaseOrder: order.code,
      purchaseOrderLine: line.line,
      product,
      quantity: toDecimalString(item.quantity),
      netPrice: toDecimalString(item.cost),
    });
  });
  if (!reasons.length && lines.length === 0)
    reasons.push({ code: ReasonCodes.BillNoLines, message: `bill ${bill.billId} has no item with a quantity` });
  if (reasons.length) return reject(reasons);

  const ref = externalRef(tenant, 'BILL', bill.billId, bill.revision);
  const primary = rules.bills.supplierInvoiceNumberField === 'vendorNumber' ? bill.vendorNumber : bill.referenceNumber;
  const fallback = rules.bills.supplierInvoiceNumberField === 'vendorNumber' ? bill.referenceNumber : bill.vendorNumber;
  // The business date (the bill's calendar day in the tenant's time zone) is the invoice and accounting date.
  const date = day || localDate(new Date().toISOString(), zone);
  const supersedes = state.requestedRef && state.requestedRef !== ref ? state.requestedRef : null;
  const request: SupplierInvoiceRequestedV1 = {
    externalRef: ref,
    source: { kind: 'inventory-bill', id: String(bill.billId), revision: bill.revision },
    site: input.x3.site,
    supplier: supplier.code as string,
    supplierInvoiceNumber: primary || fallback || `ST-BILL-${bill.billId}`,
    invoiceDate: date,
    accountingDate: date,
    currency: order?.currency && /^[A-Z]{3}$/.test(order.currency) ? order.currency : input.x3.currency,
    controlTotal: toDecimalString(bill.billAmount),
    lines,
    supersedes,
  };
  return {
    outcome: supersedes ? 'superseded' : 'requested',
    request,
    rejection: null,
    nextState: {
      kind: 'bill',
      version: state.version + 1,
      revision: bill.revision,
      contentHash: bill.contentHash,
      requestedRef: ref,
      ...seen,
      voidNoted: false,
      lastOutcome: 'requested',
    },
    note: supersedes ? `${ref} supersedes ${supersedes}` : `requested ${ref}`,
  };
}
