import { X3DocumentScanV1, X3DocumentStateV1 } from '@connector/contracts';
import { SqlExecutor } from '../database/database';

/** What a message of x3.document.v1 tells the audit trail: a document as X3 holds it, or the end of a scan. */
export type X3ReadBackFacts = { document: X3DocumentStateV1 } | { scan: X3DocumentScanV1 };

/**
 * Stores a read-back in the same transaction as its history row. The row of a document is replaced (lines too)
 * only by a message at least as recent (Kafka timestamp) as the one stored, so re-reading the topic changes nothing.
 */
export async function storeX3ReadBack(
  tx: SqlExecutor,
  tenant: string,
  facts: X3ReadBackFacts,
  at: string,
): Promise<void> {
  if ('scan' in facts) {
    const s = facts.scan;
    await tx.query(
      `INSERT INTO audit_x3_scans (tenant, document_kind, mode, started_at, completed_at, read, published, absent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant, document_kind, mode) DO UPDATE SET started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
         read = EXCLUDED.read, published = EXCLUDED.published, absent = EXCLUDED.absent
       WHERE audit_x3_scans.completed_at <= EXCLUDED.completed_at`,
      [tenant, s.documentKind, s.mode, s.startedAt, s.completedAt, s.read, s.published, s.absent],
    );
    return;
  }
  const d = facts.document;
  const stored = await tx.query<{ n: number }>(
    `INSERT INTO audit_x3_documents (tenant, document_kind, document_number, x3_key, external_ref, reference_from, in_ledger, present,
       absence, status, x3_status, accounting_date, currency, site, amount, supplier, supplier_invoice_number, x3_updated_at, read_at, message_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date, $13, $14, $15::numeric, $16, $17, $18, $19, $20)
     ON CONFLICT (tenant, document_kind, document_number) DO UPDATE SET
       x3_key = EXCLUDED.x3_key, external_ref = EXCLUDED.external_ref, reference_from = EXCLUDED.reference_from,
       in_ledger = EXCLUDED.in_ledger, present = EXCLUDED.present, absence = EXCLUDED.absence, status = EXCLUDED.status,
       x3_status = EXCLUDED.x3_status, accounting_date = EXCLUDED.accounting_date, currency = EXCLUDED.currency, site = EXCLUDED.site,
       amount = EXCLUDED.amount, supplier = EXCLUDED.supplier, supplier_invoice_number = EXCLUDED.supplier_invoice_number,
       x3_updated_at = EXCLUDED.x3_updated_at, read_at = EXCLUDED.read_at, message_at = EXCLUDED.message_at
     WHERE audit_x3_documents.message_at <= EXCLUDED.message_at
     RETURNING 1 AS n`,
    [
      tenant,
      d.documentKind,
      d.documentNumber,
      d.x3Key ?? null,
      d.externalRef ?? null,
      d.referenceFrom,
      d.inLedger,
      d.present,
      d.absence ?? null,
      d.status ?? null,
      d.x3Status ?? null,
      d.accountingDate ? d.accountingDate.slice(0, 10) : null,
      d.currency ?? null,
      d.site ?? null,
      d.amount ?? null,
      d.supplier ?? null,
      d.supplierInvoiceNumber ?? null,
      d.x3UpdatedAt ?? null,
      d.readAt,
      at,
    ],
  );
  if (!stored.rows.length) return;
  await tx.query(
    'DELETE FROM audit_x3_document_lines WHERE tenant = $1 AND document_kind = $2 AND document_number = $3',
    [tenant, d.documentKind, d.documentNumber],
  );
  for (const l of d.lines) {
    await tx.query(
      `INSERT INTO audit_x3_document_lines (tenant, document_kind, document_number, line_no, account, cost_center, side, amount,
         purchase_order, purchase_order_line, product, quantity, net_price)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10, $11, $12::numeric, $13::numeric)`,
      [
        tenant,
        d.documentKind,
        d.documentNumber,
        l.lineNo,
        l.account ?? null,
        l.costCenter ?? null,
        l.side,
        l.amount,
        l.purchaseOrder ?? null,
        l.purchaseOrderLine ?? null,
        l.product ?? null,
        l.quantity ?? null,
        l.netPrice ?? null,
      ],
    );
  }
}
