import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CSV_COLUMNS } from '../reconciliation/reconciliation.export';

/** Tests: read the CSV and HTML exports back into plain data, to compare them with the API's JSON. */

export type CsvRecord = Record<(typeof CSV_COLUMNS)[number], string>;

/** RFC 4180 (quoted fields, doubled quotes, CRLF), the BOM dropped. */
export function parseReconciliationCsv(text: string): { header: string[]; rows: CsvRecord[] } {
  const src = text.replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && src[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || record.length) records.push([...record, field]);
  const [header, ...rows] = records;
  return {
    header,
    rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])) as CsvRecord),
  };
}

function unescapeHtml(v: string): string {
  return v
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface HtmlRow {
  kind: string;
  attrs: Record<string, string>;
  /** Cells that carry a data-col attribute. */
  cols: Record<string, string>;
}

/** Rows marked `data-row="…"` with their data-* attributes and `data-col` cells; the head fields (`data-field`). */
export function parseReconciliationHtml(html: string): { fields: Record<string, string[]>; rows: HtmlRow[] } {
  const fields: Record<string, string[]> = {};
  for (const m of html.matchAll(/<(?:dd|span|div)[^>]*data-field="([^"]+)"[^>]*>([^<]*)</g))
    (fields[m[1]] ??= []).push(unescapeHtml(m[2]));
  const rows: HtmlRow[] = [];
  for (const m of html.matchAll(/<tr([^>]*data-row="([^"]+)"[^>]*)>([\s\S]*?)<\/tr>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/data-([a-z-]+)="([^"]*)"/g)) attrs[a[1]] = unescapeHtml(a[2]);
    const cols: Record<string, string> = {};
    for (const c of m[3].matchAll(/<td[^>]*data-col="([^"]+)"[^>]*>([^<]*)</g)) cols[c[1]] = unescapeHtml(c[2]);
    rows.push({ kind: m[2], attrs, cols });
  }
  return { fields, rows };
}

/** `npm run reconcile` as a separate process (asynchronously: the audit-service under test runs in this one). */
export function runReconcileCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..', '..', '..', '..');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-r',
        'tsconfig-paths/register',
        'apps/audit-service/src/cli/reconcile.cli.ts',
        ...args,
      ],
      {
        cwd: root,
        env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.base.json', SWC_NODE_PROJECT: 'tsconfig.base.json', ...env },
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Both downloads of one report, as the API serves them (with their content type and file name), parsed. */
export async function fetchReconciliationExports(
  baseUrl: string,
  token: string,
  tenant: string,
  period: string,
): Promise<{
  csv: ReturnType<typeof parseReconciliationCsv> & { status: number; type: string | null; disposition: string | null };
  html: ReturnType<typeof parseReconciliationHtml> & {
    status: number;
    type: string | null;
    disposition: string | null;
    raw: string;
  };
}> {
  const get = async (format: 'csv' | 'html') => {
    const res = await fetch(`${baseUrl}/api/reconciliation/report.${format}?tenant=${tenant}&period=${period}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      disposition: res.headers.get('content-disposition'),
      raw: await res.text(),
    };
  };
  const csv = await get('csv');
  const html = await get('html');
  return {
    csv: { ...parseReconciliationCsv(csv.raw), status: csv.status, type: csv.type, disposition: csv.disposition },
    html: { ...parseReconciliationHtml(html.raw), ...html },
  };
}
