import {
  MessageEnvelope,
  Topics,
  X3CostCenterStateV1,
  X3GlAccountStateV1,
  X3ProductStateV1,
  X3PurchaseOrderStateV1,
  X3SupplierStateV1,
} from '@connector/contracts';

export const MASTER_DATA_TOPICS = [
  Topics.X3GlAccount,
  Topics.X3CostCenter,
  Topics.X3Supplier,
  Topics.X3Product,
  Topics.X3PurchaseOrder,
] as const;

interface Stamped {
  updatedAt: string;
}

/**
 * In-memory view of the X3 master-data topics, per tenant. Compacted topics may deliver an older state after a
 * newer one (re-publication by a resync); the X3 update stamp decides, so the cache never goes backwards.
 * Deleted records are kept (flagged) so validation can say why a code is unusable.
 */
export class MasterDataCache {
  private readonly accounts = new Map<string, X3GlAccountStateV1>();
  private readonly costCenters = new Map<string, X3CostCenterStateV1>();
  private readonly suppliers = new Map<string, X3SupplierStateV1>();
  private readonly products = new Map<string, X3ProductStateV1>();
  private readonly purchaseOrders = new Map<string, X3PurchaseOrderStateV1>();
  /** Per master-data topic: where its states go and under which key. */
  private readonly indexes = new Map<string, (tenant: string, payload: unknown) => void>([
    [
      Topics.X3GlAccount,
      (t, p) => put(this.accounts, `${t}|${(p as X3GlAccountStateV1).code}`, p as X3GlAccountStateV1),
    ],
    [
      Topics.X3CostCenter,
      (t, p) => {
        const cc = p as X3CostCenterStateV1;
        put(this.costCenters, `${t}|${cc.dimensionType}|${cc.code}`, cc);
      },
    ],
    [Topics.X3Supplier, (t, p) => put(this.suppliers, `${t}|${(p as X3SupplierStateV1).code}`, p as X3SupplierStateV1)],
    [Topics.X3Product, (t, p) => put(this.products, `${t}|${(p as X3ProductStateV1).code}`, p as X3ProductStateV1)],
    [
      Topics.X3PurchaseOrder,
      (t, p) => put(this.purchaseOrders, `${t}|${(p as X3PurchaseOrderStateV1).code}`, p as X3PurchaseOrderStateV1),
    ],
  ]);

  /** Applies one state message; returns false when the topic is not a master-data topic. */
  apply(topic: string, envelope: MessageEnvelope<unknown>): boolean {
    const index = this.indexes.get(topic);
    index?.(envelope.tenant, envelope.payload);
    return index !== undefined;
  }

  account(tenant: string, code: string): X3GlAccountStateV1 | undefined {
    return live(this.accounts.get(`${tenant}|${code}`));
  }

  costCenter(tenant: string, dimensionType: string, code: string): X3CostCenterStateV1 | undefined {
    return live(this.costCenters.get(`${tenant}|${dimensionType}|${code}`));
  }

  supplier(tenant: string, code: string): X3SupplierStateV1 | undefined {
    return live(this.suppliers.get(`${tenant}|${code}`));
  }

  /** Suppliers (not deleted) whose trimmed name equals `name` exactly. */
  suppliersNamed(tenant: string, name: string): X3SupplierStateV1[] {
    const wanted = name.trim();
    const out: X3SupplierStateV1[] = [];
    for (const [k, s] of this.suppliers)
      if (k.startsWith(`${tenant}|`) && !s.deleted && (s.name ?? '').trim() === wanted) out.push(s);
    return out;
  }

  product(tenant: string, code: string): X3ProductStateV1 | undefined {
    return live(this.products.get(`${tenant}|${code}`));
  }

  purchaseOrder(tenant: string, code: string): X3PurchaseOrderStateV1 | undefined {
    return live(this.purchaseOrders.get(`${tenant}|${code}`));
  }

  size(): number {
    return (
      this.accounts.size + this.costCenters.size + this.suppliers.size + this.products.size + this.purchaseOrders.size
    );
  }
}

function put<T extends Stamped>(map: Map<string, T>, key: string, value: T): void {
  const cur = map.get(key);
  if (cur && Date.parse(cur.updatedAt) > Date.parse(value.updatedAt)) return;
  map.set(key, value);
}

/** A deleted record reads as unknown. */
function live<T extends { deleted: boolean }>(v: T | undefined): T | undefined {
  return v && !v.deleted ? v : undefined;
}
