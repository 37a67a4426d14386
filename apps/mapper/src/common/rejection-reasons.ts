/** Stable reason codes on connector.mapping.rejected.v1 (the AP/GL teams filter the audit trail by them). */
export const ReasonCodes = {
  RulesMissing: 'RULES_MISSING',
  BusinessUnitUnmapped: 'BUSINESS_UNIT_UNMAPPED',
  /** Mapping rules v2 with `jobTypes.strict`: no rule names the job's type (for its business unit). */
  JobTypeUnmapped: 'JOB_TYPE_UNMAPPED',
  GlAccountUnmapped: 'GL_ACCOUNT_UNMAPPED',
  AccountUnknown: 'ACCOUNT_UNKNOWN',
  AccountInactive: 'ACCOUNT_INACTIVE',
  CostCenterUnknown: 'COST_CENTER_UNKNOWN',
  CostCenterInactive: 'COST_CENTER_INACTIVE',
  DimensionNotAllowed: 'DIMENSION_NOT_ALLOWED',
  NoCosts: 'NO_COSTS',
  CompletedOnMissing: 'COMPLETED_ON_MISSING',
  SupplierUnmapped: 'SUPPLIER_UNMAPPED',
  SupplierUnknown: 'SUPPLIER_UNKNOWN',
  SupplierInactive: 'SUPPLIER_INACTIVE',
  SupplierAmbiguous: 'SUPPLIER_AMBIGUOUS',
  PurchaseOrderMissing: 'PURCHASE_ORDER_MISSING',
  PurchaseOrderUnknown: 'PURCHASE_ORDER_UNKNOWN',
  PurchaseOrderInactive: 'PURCHASE_ORDER_INACTIVE',
  PurchaseOrderSupplierMismatch: 'PURCHASE_ORDER_SUPPLIER_MISMATCH',
  ProductUnknown: 'PRODUCT_UNKNOWN',
  ProductInactive: 'PRODUCT_INACTIVE',
  PoLineUnmatched: 'PO_LINE_UNMATCHED',
  BillNoLines: 'BILL_NO_LINES',
  BillVoidedAfterPosting: 'BILL_VOIDED_AFTER_POSTING',
  /** A hold, not an error: the record's business date is before the tenant's go-live (servicetitan.syncFrom). */
  BeforeGoLive: 'BEFORE_GO_LIVE',
} as const;
export type ReasonCode = (typeof ReasonCodes)[keyof typeof ReasonCodes];

export interface Reason {
  code: ReasonCode;
  message: string;
  field?: string | null;
}

/** One reason per (code, message): the same unknown account on five lines is reported once. */
export function uniqueReasons(reasons: Reason[]): Reason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const k = `${r.code}|${r.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
