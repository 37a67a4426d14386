/* Month-end reconciliation from a terminal: asks the audit-service API for one tenant and accounting month, prints
 * the report and exits 0 only when it balances. The audit-service holds the trail (and the X3 read-back); this
 * command holds nothing and needs only an API token.
 *
 *   reconcile <tenant> --period YYYY-MM [--format text|json|csv|html] [--url http://127.0.0.1:3005]
 *
 * Run: npm run reconcile -- acme --period 2026-11
 * Token: AUDIT_API_TOKEN (an admin token, or the tenant's). URL: --url, else AUDIT_URL, else http://127.0.0.1:3005.
 * Exit codes: 0 balanced, 1 not balanced, 2 usage error, 3 the API could not be asked (unreachable, 4xx/5xx).
 */
import { reconciliationCsv, reconciliationHtml, reconciliationText } from '../app/reconciliation/reconciliation.export';
import { ReconciliationReport } from '../app/reconciliation/reconciliation.report';

export interface ReconcileIo {
  out: (text: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE =
  'usage: reconcile <tenant> --period YYYY-MM [--format text|json|csv|html] [--url <audit-service URL>]  (token: AUDIT_API_TOKEN)';
const FORMATS = ['text', 'json', 'csv', 'html'] as const;
type Format = (typeof FORMATS)[number];

export interface ReconcileArgs {
  tenant: string;
  period: string;
  format: Format;
  url: string;
  token: string;
}

export function parseReconcileArgs(argv: string[], env: Record<string, string | undefined>): ReconcileArgs | string {
  const opts: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!['period', 'format', 'url'].includes(name)) return `unknown option "${a}"`;
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) return `--${name} needs a value`;
    opts[name] = v;
  }
  if (positional.length !== 1) return 'give exactly one tenant';
  const tenant = positional[0];
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) return `"${tenant}" is not a tenant id`;
  const period = opts['period'];
  if (!period) return '--period is required';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return `--period "${period}" is not a month (YYYY-MM)`;
  const format = (opts['format'] ?? 'text') as Format;
  if (!FORMATS.includes(format)) return `--format must be one of ${FORMATS.join(', ')}`;
  const url = (opts['url'] ?? env['AUDIT_URL'] ?? 'http://127.0.0.1:3005').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) return `--url "${url}" is not an http(s) URL`;
  const token = env['AUDIT_API_TOKEN'];
  if (!token) return 'AUDIT_API_TOKEN is not set (an audit-service API token)';
  return { tenant, period, format, url, token };
}

export async function runReconcile(argv: string[], io: ReconcileIo): Promise<number> {
  const args = parseReconcileArgs(argv, io.env);
  if (typeof args === 'string') {
    io.err(`error: ${args}`);
    io.err(USAGE);
    return 2;
  }
  const query = new URLSearchParams({ tenant: args.tenant, period: args.period });
  let report: ReconciliationReport;
  try {
    const res = await fetch(`${args.url}/api/reconciliation?${query}`, {
      headers: { Authorization: `Bearer ${args.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await res.json().catch(() => ({}))) as ReconciliationReport & { message?: unknown };
    if (!res.ok) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? res.statusText);
      io.err(`error: the audit-service answered HTTP ${res.status}: ${message}`);
      return 3;
    }
    report = body;
  } catch (e) {
    io.err(`error: cannot reach the audit-service at ${args.url}: ${(e as Error).message}`);
    return 3;
  }
  const render: Record<Format, (r: ReconciliationReport) => string> = {
    text: reconciliationText,
    json: (r) => `${JSON.stringify(r, null, 2)}\n`,
    csv: reconciliationCsv,
    html: reconciliationHtml,
  };
  io.out(render[args.format](report));
  if (!report.balanced) io.err(`not balanced: ${report.verdictReasons.join('; ')}`);
  return report.balanced ? 0 : 1;
}

if (require.main === module) {
  runReconcile(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
  })
    .then((code) => (process.exitCode = code))
    .catch((e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 3;
    });
}
