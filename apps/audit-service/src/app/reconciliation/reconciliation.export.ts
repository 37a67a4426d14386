import { DocumentCounts, ReconciliationReport } from './reconciliation.report';

/** CSV columns: one rectangular table; `section` says what a row is (report, account, bill, count, exception…). */
export const CSV_COLUMNS = [
  'section',
  'cost_center',
  'account',
  'currency',
  'reference',
  'x3_document',
  'source_debit',
  'source_credit',
  'source',
  'posted',
  'x3_debit',
  'x3_credit',
  'x3',
  'difference',
  'count',
  'status',
  'code',
  'detail',
  'link',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
type CsvRow = Partial<Record<CsvColumn, string | number | null>>;

const AMOUNT_COLUMNS = new Set<CsvColumn>([
  'source_debit',
  'source_credit',
  'source',
  'posted',
  'x3_debit',
  'x3_credit',
  'x3',
  'difference',
  'count',
]);

export const COUNT_LABELS: Array<[keyof DocumentCounts, string]> = [
  ['requested', 'requested'],
  ['posted', 'posted'],
  ['inX3', 'in X3 (read back)'],
  ['failedAttempts', 'failed attempts'],
  ['stillFailed', 'still failed'],
  ['replayed', 'replayed'],
  ['duplicateSkipped', 'duplicate-skipped'],
  ['notPosted', 'not posted yet'],
];

function csvCell(column: CsvColumn, value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A text cell a spreadsheet would run as a formula is written as text (amounts and counts are numbers).
  if (!AMOUNT_COLUMNS.has(column) && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV (RFC 4180, CRLF, UTF-8 with BOM so spreadsheets read the accents): the API's numbers. */
export function reconciliationCsv(r: ReconciliationReport): string {
  const rows: CsvRow[] = [];
  const info = (reference: string, detail: string | null) => rows.push({ section: 'report', reference, detail });
  info('tenant', r.tenant);
  info('period', r.period);
  info('from', r.from);
  info('to', r.to);
  info('generated_at', r.generatedAt);
  info('verdict', r.verdict);
  for (const reason of r.verdictReasons) info('verdict_reason', reason);
  for (const b of r.readBack) {
    info(`x3_read_back.${b.documentKind}.latest`, b.lastIncremental);
    info(`x3_read_back.${b.documentKind}.full`, b.lastFull);
  }
  for (const note of r.notes) info('note', note);
  for (const a of r.accounts)
    rows.push({
      section: 'account',
      cost_center: a.costCenter,
      account: a.account,
      currency: a.currency,
      source_debit: a.sourceDebit,
      source_credit: a.sourceCredit,
      source: a.source,
      posted: a.posted,
      x3_debit: a.x3Debit,
      x3_credit: a.x3Credit,
      x3: a.x3,
      difference: a.difference,
    });
  for (const t of r.accountTotals)
    rows.push({
      section: 'account-total',
      account: t.account,
      currency: t.currency,
      source: t.source,
      posted: t.posted,
      x3: t.x3,
      difference: t.difference,
    });
  for (const j of r.journalTotals)
    rows.push({
      section: 'journal-debits',
      currency: j.currency,
      source: j.source,
      posted: j.posted,
      x3: j.x3,
      difference: j.difference,
    });
  for (const b of r.bills)
    rows.push({
      section: 'bill',
      currency: b.currency,
      reference: b.billId,
      x3_document: b.x3DocumentNumber,
      source: b.source,
      posted: b.requested,
      x3: b.x3,
      difference: b.difference,
      status: b.x3Status,
      detail: [
        b.supplier && `supplier ${b.supplier}`,
        b.supplierInvoiceNumber && `invoice ${b.supplierInvoiceNumber}`,
        b.externalRef,
      ]
        .filter(Boolean)
        .join(' · '),
      link: b.link,
    });
  for (const t of r.billTotals) {
    rows.push({ section: 'bill-total', currency: t.currency, source: t.source, x3: t.x3, difference: t.difference });
    rows.push({ section: 'bill-total', currency: t.currency, status: 'matched', count: t.matched });
    rows.push({ section: 'bill-total', currency: t.currency, status: 'unmatched', count: t.unmatched });
  }
  for (const [kind, counts] of [
    ['journal-entry', r.counts.journalEntries],
    ['supplier-invoice', r.counts.supplierInvoices],
  ] as const)
    for (const [key] of COUNT_LABELS) rows.push({ section: 'count', reference: kind, status: key, count: counts[key] });
  for (const e of r.exceptions)
    rows.push({
      section: 'exception',
      reference: e.externalRef ?? (e.sourceId ? `${e.sourceKind ?? 'record'} ${e.sourceId}` : null),
      x3_document: e.x3DocumentNumber,
      code: e.code,
      detail: e.reason,
      link: e.link,
    });
  const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvCell(c, row[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function esc(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const amountCell = (col: string, v: string | null) => {
  const negative = v !== null && v.startsWith('-');
  return `<td class="num${negative ? ' neg' : ''}" data-col="${col}">${esc(v)}</td>`;
};
const diffCell = (v: string) =>
  `<td class="num ${/^-?0(\.0+)?$/.test(v) ? 'zero' : 'diff'}" data-col="difference">${esc(v)}</td>`;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.neg{color:#5a3b00}td.diff{background:#fde8e8;font-weight:600}tr.total td{font-weight:600;background:#fafbfc}
.verdict{display:inline-block;padding:6px 14px;border-radius:4px;font-weight:700;font-size:16px;letter-spacing:.02em}
.verdict.balanced{background:#e3f4e8;color:#135c2b;border:1px solid #9fd3ae}.verdict.not-balanced{background:#fde8e8;color:#8a1414;border:1px solid #f0a8a8}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}dl.head dt{font-weight:600}dl.head dd{margin:0}
ul.notes{color:#4a5263;font-size:13px;padding-left:18px}.muted{color:#6b7385}
.sign{display:grid;grid-template-columns:1fr 1fr;gap:24px;margin-top:36px}.sign div{border-top:1px solid #1d2330;padding-top:4px}
@media print{body{margin:0;max-width:none}a{color:inherit}}`;

/** The report as one printable HTML page: inline style, no script, every text escaped; the API's numbers. */
export function reconciliationHtml(r: ReconciliationReport): string {
  const verdictClass = r.balanced ? 'balanced' : 'not-balanced';
  const readBack = r.readBack
    .map(
      (b) =>
        `<dt>X3 read back (${esc(b.documentKind)})</dt><dd data-read-back="${esc(b.documentKind)}">${
          b.lastIncremental
            ? `${esc(b.lastIncremental)}${b.lastFull ? ` · last full scan ${esc(b.lastFull)}` : ''}`
            : '<span class="muted">never</span>'
        }</dd>`,
    )
    .join('');
  const accounts = r.accounts
    .map(
      (a) =>
        `<tr data-row="account" data-cost-center="${esc(a.costCenter ?? '')}" data-account="${esc(a.account)}" data-currency="${esc(a.currency)}">` +
        `<td>${a.costCenter ? esc(a.costCenter) : '<span class="muted">—</span>'}</td><td>${esc(a.account)}</td><td>${esc(a.currency)}</td>` +
        amountCell('source-debit', a.sourceDebit) +
        amountCell('source-credit', a.sourceCredit) +
        amountCell('source', a.source) +
        amountCell('posted', a.posted) +
        amountCell('x3-debit', a.x3Debit) +
        amountCell('x3-credit', a.x3Credit) +
        amountCell('x3', a.x3) +
        diffCell(a.difference) +
        '</tr>',
    )
    .join('');
  const accountTotals = r.accountTotals
    .map(
      (t) =>
        `<tr data-row="account-total" data-account="${esc(t.account)}" data-currency="${esc(t.currency)}"><td>${esc(t.account)}</td><td>${esc(t.currency)}</td>` +
        amountCell('source', t.source) +
        amountCell('posted', t.posted) +
        amountCell('x3', t.x3) +
        diffCell(t.difference) +
        '</tr>',
    )
    .join('');
  const journalTotals = r.journalTotals
    .map(
      (j) =>
        `<tr class="total" data-row="journal-debits" data-currency="${esc(j.currency)}"><td>Total debits</td><td>${esc(j.currency)}</td>` +
        amountCell('source', j.source) +
        amountCell('posted', j.posted) +
        amountCell('x3', j.x3) +
        diffCell(j.difference) +
        '</tr>',
    )
    .join('');
  const bills = r.bills
    .map(
      (b) =>
        `<tr data-row="bill" data-bill="${esc(b.billId)}"><td><a href="${esc(b.link)}">${esc(b.billId)}</a></td><td>${esc(b.supplier)}</td>` +
        `<td>${esc(b.supplierInvoiceNumber)}</td><td>${esc(b.x3DocumentNumber)}</td><td>${esc(b.currency)}</td>` +
        amountCell('source', b.source) +
        amountCell('requested', b.requested) +
        amountCell('x3', b.x3) +
        diffCell(b.difference) +
        `<td data-col="status">${esc(b.x3Status ?? '—')}</td></tr>`,
    )
    .join('');
  const billTotals = r.billTotals
    .map(
      (t) =>
        `<tr class="total" data-row="bill-total" data-currency="${esc(t.currency)}"><td colspan="4">Total · ${t.matched} matched, ${t.unmatched} unmatched</td><td>${esc(t.currency)}</td>` +
        amountCell('source', t.source) +
        '<td></td>' +
        amountCell('x3', t.x3) +
        diffCell(t.difference) +
        '<td></td></tr>',
    )
    .join('');
  const counts = COUNT_LABELS.map(
    ([key, label]) =>
      `<tr data-row="count" data-count="${key}"><td>${esc(label)}</td><td class="num" data-col="journal-entry">${r.counts.journalEntries[key]}</td>` +
      `<td class="num" data-col="supplier-invoice">${r.counts.supplierInvoices[key]}</td></tr>`,
  ).join('');
  const exceptions = r.exceptions.length
    ? r.exceptions
        .map(
          (e) =>
            `<tr data-row="exception" data-code="${esc(e.code)}"><td>${esc(e.code)}</td><td>${esc(
              e.externalRef ?? (e.sourceId ? `${e.sourceKind ?? ''} ${e.sourceId}` : ''),
            )}</td><td>${esc(e.x3DocumentNumber)}</td><td>${esc(e.reason)}</td><td><a href="${esc(e.link)}">timeline</a></td></tr>`,
        )
        .join('')
    : '<tr><td colspan="5" class="muted">No exceptions.</td></tr>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reconciliation ${esc(r.tenant)} ${esc(r.period)}</title>
<style>${STYLE}</style></head>
<body>
<h1>Reconciliation — ServiceTitan → Sage X3</h1>
<dl class="head">
<dt>Tenant</dt><dd data-field="tenant">${esc(r.tenant)}</dd>
<dt>Period</dt><dd data-field="period">${esc(r.period)} (${esc(r.from)} – ${esc(r.to)}, by accounting date)</dd>
<dt>Generated at</dt><dd data-field="generated-at">${esc(r.generatedAt)}</dd>
${readBack}
<dt>Verdict</dt><dd><span class="verdict ${verdictClass}" data-field="verdict">${r.balanced ? 'BALANCED' : 'NOT BALANCED'}</span>
${r.verdictReasons.map((v) => `<div data-field="verdict-reason">${esc(v)}</div>`).join('')}</dd>
</dl>
<ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>

<h2>General ledger per cost center and account</h2>
<table id="accounts"><thead><tr><th>Cost center</th><th>Account</th><th>Cur.</th><th>Source debit</th><th>Source credit</th><th>Source net</th><th>Posted net</th><th>X3 debit</th><th>X3 credit</th><th>X3 net</th><th>Difference</th></tr></thead>
<tbody>${accounts || '<tr><td colspan="11" class="muted">No journal entries in this period.</td></tr>'}</tbody></table>

<h2>Totals per account</h2>
<table id="account-totals"><thead><tr><th>Account</th><th>Cur.</th><th>Source net</th><th>Posted net</th><th>X3 net</th><th>Difference</th></tr></thead>
<tbody>${accountTotals}${journalTotals}</tbody></table>

<h2>Bills (supplier invoices)</h2>
<table id="bills"><thead><tr><th>Bill</th><th>Supplier</th><th>Invoice no.</th><th>X3 document</th><th>Cur.</th><th>ServiceTitan</th><th>Requested</th><th>X3</th><th>Difference</th><th>X3 status</th></tr></thead>
<tbody>${bills || '<tr><td colspan="10" class="muted">No bills in this period.</td></tr>'}${billTotals}</tbody></table>

<h2>Documents</h2>
<table id="counts"><thead><tr><th></th><th>Journal entries</th><th>Supplier invoices</th></tr></thead><tbody>${counts}</tbody></table>

<h2>Exceptions (${r.exceptions.length})</h2>
<table id="exceptions"><thead><tr><th>Code</th><th>Reference</th><th>X3 document</th><th>Reason</th><th></th></tr></thead><tbody>${exceptions}</tbody></table>

<div class="sign"><div>Reviewed by (name, signature)</div><div>Date</div></div>
</body></html>
`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function textTable(header: string[], rows: Array<Array<string | number | null>>, numeric: boolean[]): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

/** The report as plain text for a terminal (`npm run reconcile`): the API's numbers. */
export function reconciliationText(r: ReconciliationReport): string {
  const out: string[] = [];
  out.push(`RECONCILIATION  ServiceTitan → Sage X3`);
  out.push(`Tenant        ${r.tenant}`);
  out.push(`Period        ${r.period} (${r.from} – ${r.to}, by accounting date)`);
  out.push(`Generated at  ${r.generatedAt}`);
  for (const b of r.readBack)
    out.push(
      `X3 read back  ${b.documentKind}: ${b.lastIncremental ?? 'never'}${b.lastFull ? ` (last full scan ${b.lastFull})` : ''}`,
    );
  out.push('');
  out.push(`VERDICT: ${r.balanced ? 'BALANCED' : 'NOT BALANCED'}`);
  for (const v of r.verdictReasons) out.push(`  - ${v}`);
  out.push('');
  out.push('General ledger per cost center and account (net = debit − credit; difference = source − X3)');
  out.push(
    ...textTable(
      ['Cost center', 'Account', 'Cur', 'Source', 'Posted', 'X3', 'Difference'],
      r.accounts.map((a) => [a.costCenter ?? '-', a.account, a.currency, a.source, a.posted, a.x3, a.difference]),
      [false, false, false, true, true, true, true],
    ),
  );
  out.push('');
  out.push('Totals per account');
  out.push(
    ...textTable(
      ['Account', 'Cur', 'Source', 'Posted', 'X3', 'Difference'],
      [
        ...r.accountTotals.map((t) => [t.account, t.currency, t.source, t.posted, t.x3, t.difference]),
        ...r.journalTotals.map((j) => ['Total debits', j.currency, j.source, j.posted, j.x3, j.difference]),
      ],
      [false, false, true, true, true, true],
    ),
  );
  out.push('');
  out.push('Bills');
  out.push(
    ...textTable(
      ['Bill', 'Supplier', 'Invoice', 'X3 document', 'ServiceTitan', 'X3', 'Difference', 'X3 status'],
      r.bills.map((b) => [
        b.billId,
        b.supplier,
        b.supplierInvoiceNumber,
        b.x3DocumentNumber,
        b.source,
        b.x3,
        b.difference,
        b.x3Status ?? '-',
      ]),
      [false, false, false, false, true, true, true, false],
    ),
  );
  for (const t of r.billTotals)
    out.push(
      `Total ${t.currency}: ServiceTitan ${t.source}, X3 ${t.x3}, difference ${t.difference} · ${t.matched} matched, ${t.unmatched} unmatched`,
    );
  out.push('');
  out.push('Documents');
  out.push(
    ...textTable(
      ['', 'Journal entries', 'Supplier invoices'],
      COUNT_LABELS.map(([k, label]) => [label, r.counts.journalEntries[k], r.counts.supplierInvoices[k]]),
      [false, true, true],
    ),
  );
  out.push('');
  out.push(`Exceptions (${r.exceptions.length})`);
  for (const e of r.exceptions)
    out.push(
      `  ${e.code}  ${e.externalRef ?? (e.sourceId ? `${e.sourceKind ?? ''} ${e.sourceId}` : '')}${e.x3DocumentNumber ? `  X3 ${e.x3DocumentNumber}` : ''}`,
      `      ${e.reason}`,
      `      ${e.link}`,
    );
  out.push('');
  out.push('Notes');
  for (const n of r.notes) out.push(`  - ${n}`);
  return `${out.join('\n')}\n`;
}
