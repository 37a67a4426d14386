import {
  Topics,
  X3_COST_CENTER_STATE,
  X3_GL_ACCOUNT_STATE,
  X3_PRODUCT_STATE,
  X3_PURCHASE_ORDER_STATE,
  X3_SUPPLIER_STATE,
} from '@connector/contracts';
import { isX3Yes, X3EntityConfig, X3EntityName, x3Decimal } from '@connector/sage-x3';

type X3Row = Record<string, unknown>;

export interface MasterKind {
  kind: 'gl-account' | 'cost-center' | 'supplier' | 'product' | 'purchase-order';
  entity: X3EntityName;
  topic: string;
  type: string;
  /** The record's code (its key on the topic), read through the tenant's field configuration. */
  code(row: X3Row, cfg: X3EntityConfig): string;
  /** Business content (no stamps): equal content is not re-published. */
  content(row: X3Row, cfg: X3EntityConfig): Record<string, unknown>;
}

/** A header value by logical name, through the tenant's fields for the entity (docs/sage-x3.md). */
const field = (row: X3Row, cfg: X3EntityConfig, name: string): unknown => {
  const code = cfg.fields[name];
  return code ? row[code] : undefined;
};
const s = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
/** The active flag absent means active (X3 only shows ENAFLG where a record can be disabled). */
const active = (row: X3Row, cfg: X3EntityConfig): boolean => {
  const flag = field(row, cfg, 'active');
  return flag === undefined ? true : isX3Yes(flag);
};
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
    code: (r, c) => String(field(r, c, 'code')),
    content: (r, c) => ({
      code: String(field(r, c, 'code')),
      description: s(field(r, c, 'description')),
      active: active(r, c),
      allowedDimensionTypes: list(field(r, c, 'dimensionTypes')),
    }),
  },
  {
    kind: 'cost-center',
    entity: 'costCenter',
    topic: Topics.X3CostCenter,
    type: X3_COST_CENTER_STATE,
    code: (r, c) => `${String(field(r, c, 'dimensionType'))}~${String(field(r, c, 'code'))}`,
    content: (r, c) => ({
      code: String(field(r, c, 'code')),
      dimensionType: String(field(r, c, 'dimensionType')),
      description: s(field(r, c, 'description')),
      active: active(r, c),
    }),
  },
  {
    kind: 'supplier',
    entity: 'supplier',
    topic: Topics.X3Supplier,
    type: X3_SUPPLIER_STATE,
    code: (r, c) => String(field(r, c, 'code')),
    content: (r, c) => ({
      code: String(field(r, c, 'code')),
      name: s(field(r, c, 'name')),
      currency: s(field(r, c, 'currency')),
      active: active(r, c),
    }),
  },
  {
    kind: 'product',
    entity: 'product',
    topic: Topics.X3Product,
    type: X3_PRODUCT_STATE,
    code: (r, c) => String(field(r, c, 'code')),
    content: (r, c) => ({
      code: String(field(r, c, 'code')),
      description: s(field(r, c, 'description')),
      category: s(field(r, c, 'category')),
      stockUnit: s(field(r, c, 'stockUnit')),
      active: active(r, c),
    }),
  },
  {
    kind: 'purchase-order',
    entity: 'purchaseOrder',
    topic: Topics.X3PurchaseOrder,
    type: X3_PURCHASE_ORDER_STATE,
    code: (r, c) => String(field(r, c, 'number')),
    content: (r, c) => {
      const lf = c.lines?.fields ?? {};
      const lines = c.lines ? r[c.lines.field] : undefined;
      return {
        code: String(field(r, c, 'number')),
        site: s(field(r, c, 'site')),
        supplier: String(field(r, c, 'supplier') ?? ''),
        orderDate: s(field(r, c, 'orderDate')),
        currency: s(field(r, c, 'currency')),
        active: active(r, c),
        lines: (Array.isArray(lines) ? (lines as X3Row[]) : []).map((l) => ({
          line: Number(l[lf['line']]),
          product: String(l[lf['product']]),
          quantity: x3Decimal(l[lf['quantity']]) ?? '0',
          netPrice: x3Decimal(l[lf['netPrice']]) ?? '0',
        })),
      };
    },
  },
];

/** Update stamp of a row as an ISO string (the entity's update stamp, else its creation stamp). */
export function updateStamp(row: X3Row, cfg: X3EntityConfig): string | null {
  const v = row[cfg.updateStampField] ?? row[cfg.createStampField];
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  return new Date(v).toISOString();
}
