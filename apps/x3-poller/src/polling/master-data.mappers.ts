import {
  Topics,
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
  X3_PRODUCT_STATE,
  X3_PURCHASE_ORDER_STATE,
  X3_SUPPLIER_STATE,
} from '@connector/contracts';
import { isX3Yes, X3EntityName, x3Decimal } from '@connector/sage-x3';

type X3Row = Record<string, unknown>;

export interface MasterKind {
  kind: 'gl-account' | 'cost-center' | 'supplier' | 'product' | 'purchase-order';
  entity: X3EntityName;
  topic: string;
  type: string;
  code(row: X3Row): string;
  /** Business content (no stamps): equal content is not re-published. */
  content(row: X3Row): Record<string, unknown>;
}

const s = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
/** ENAFLG absent means active (X3 only shows the flag where a record can be disabled). */
const active = (row: X3Row): boolean => (row['ENAFLG'] === undefined ? true : isX3Yes(row['ENAFLG']));
const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : typeof v === 'string' && v
      ? v
          .split(/[,~;]/)
          .map((x) => x.trim())
          .filter(Boolean)
      : [];

export const MASTER_KINDS: MasterKind[] = [
  {
    kind: 'gl-account',
    entity: 'account',
    topic: Topics.X3GlAccount,
    type: X3_GL_ACCOUNT_STATE,
    code: (r) => String(r['ACC']),
    content: (r) => ({
      code: String(r['ACC']),
      description: s(r['DES']),
      active: active(r),
      allowedDimensionTypes: list(r['DIE']),
    }),
  },
  {
    kind: 'cost-center',
    entity: 'costCenter',
    topic: Topics.X3CostCenter,
    type: X3_COST_CENTER_STATE,
    code: (r) => `${String(r['DIE'])}~${String(r['CCE'])}`,
    content: (r) => ({
      code: String(r['CCE']),
      dimensionType: String(r['DIE']),
      description: s(r['DES']),
      active: active(r),
    }),
  },
  {
    kind: 'supplier',
    entity: 'supplier',
    topic: Topics.X3Supplier,
    type: X3_SUPPLIER_STATE,
    code: (r) => String(r['BPSNUM']),
    content: (r) => ({ code: String(r['BPSNUM']), name: s(r['BPSNAM']), currency: s(r['CUR']), active: active(r) }),
  },
  {
    kind: 'product',
    entity: 'product',
    topic: Topics.X3Product,
    type: X3_PRODUCT_STATE,
    code: (r) => String(r['ITMREF']),
    content: (r) => ({
      code: String(r['ITMREF']),
      description: s(r['ITMDES1']),
      category: s(r['TCLCOD']),
      stockUnit: s(r['STU']),
      active: active(r),
    }),
  },
  {
    kind: 'purchase-order',
    entity: 'purchaseOrder',
    topic: Topics.X3PurchaseOrder,
    type: X3_PURCHASE_ORDER_STATE,
    code: (r) => String(r['POHNUM']),
    content: (r) => ({
      code: String(r['POHNUM']),
      site: s(r['POHFCY']),
      supplier: String(r['BPSNUM'] ?? ''),
      orderDate: s(r['ORDDAT']),
      currency: s(r['CUR']),
      active: active(r),
      lines: (Array.isArray(r['PORDERQ']) ? (r['PORDERQ'] as X3Row[]) : []).map((l) => ({
        line: Number(l['POPLIN']),
        product: String(l['ITMREF']),
        quantity: x3Decimal(l['QTYUOM']) ?? '0',
        netPrice: x3Decimal(l['NETPRI']) ?? '0',
      })),
    }),
  },
];

/** Update stamp of a row as an ISO string (X3 UPDDATTIM, else CREDATTIM). */
export function updateStamp(row: X3Row): string | null {
  const v = row['UPDDATTIM'] ?? row['CREDATTIM'];
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  return new Date(v).toISOString();
}
