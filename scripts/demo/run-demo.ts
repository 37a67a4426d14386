/* Drives the demo once everything runs: a signed JobCompleted webhook for the ServiceTitan demo job (a trigger: the
 * gateway reads the job's feeds; its bill arrives by the gateway's scheduled feed read), then waits for the journal entry and the supplier invoice in the Sage X3
 * simulator and prints what happened, from X3's and from the audit trail's point of view.
 * Env: GATEWAY_URL, X3_SIM_URL, AUDIT_URL, AUDIT_TOKEN, WEBHOOK_SECRET, ST_SEED_FILE, DEMO_TIMEOUT_MS
 */
import { readFileSync } from 'node:fs';
import { buildJobCompletedEvent, WebhookSender } from '@connector/servicetitan-simulator';

type Rec = Record<string, unknown>;
const env = (k: string, d?: string) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is required`);
  return v;
};

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const r = await fetch(url, { headers });
  if (!r.ok) throw new Error(`${url} → HTTP ${r.status}`);
  return r.json();
}

async function main(): Promise<void> {
  const seed = JSON.parse(readFileSync(env('ST_SEED_FILE'), 'utf8')) as {
    tenants: Array<Rec & { jobs: Rec[]; invoices: Rec[] }>;
  };
  const t = seed.tenants[0];
  const job = t.jobs.find((j) => j['jobStatus'] === 'Completed') as Rec;
  const invoice = t.invoices.find((i) => i['id'] === job['invoiceId']) as Rec;
  const event = buildJobCompletedEvent({
    tenant: { id: t['id'] as number, name: String(t['name']) },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    job: job as any,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    invoice: invoice as any,
  });
  const sender = new WebhookSender({ timeScale: 0.1 });
  const delivery = await sender.send({
    url: `${env('GATEWAY_URL')}/webhooks/servicetitan/demo`,
    secret: env('WEBHOOK_SECRET'),
    body: event,
  }).done;
  console.log(
    `[demo] JobCompleted webhook for job ${String(job['id'])}: ${delivery.state} (HTTP ${delivery.attempts.map((a) => a.status ?? a.error).join(', ')})`,
  );
  sender.close();

  const deadline = Date.now() + Number(env('DEMO_TIMEOUT_MS', '180000'));
  const want = [`demo:JOB:${String(job['id'])}:R1`];
  // Supplier invoices carry no REF (public PINVOICE representation): counted, one per bill.
  const bills = ((t['inventoryBills'] as Rec[]) ?? []).length;
  const recordOf = (d: Rec): Rec => (d['record'] as Rec | undefined) ?? d;
  const invoices = (list: Rec[]): number => list.filter((d) => d['className'] === 'PINVOICE').length;
  let docs: Rec[] = [];
  while (Date.now() < deadline) {
    const body = (await getJson(`${env('X3_SIM_URL')}/__admin/documents`)) as { documents?: Rec[] } | Rec[];
    docs = Array.isArray(body) ? body : (body.documents ?? []);
    const refs = docs.map((d) => String(recordOf(d)['REF'] ?? ''));
    if (want.every((w) => refs.includes(w)) && invoices(docs) >= bills) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`[demo] documents created in the Sage X3 simulator: ${docs.length}`);
  for (const d of docs) {
    const r = recordOf(d);
    const id =
      d['className'] === 'PINVOICE'
        ? `supplier ${String(r['BPR'])} invoice ${String(r['BPRVCR'])}`
        : `REF=${String(r['REF'] ?? '')}`;
    console.log(`  ${String(d['className'] ?? '')} ${String(r['NUM'] ?? '')} ${id} status=${String(r['STA'] ?? '')}`);
  }
  try {
    const records = (await getJson(`${env('AUDIT_URL')}/api/records?tenant=demo`, {
      authorization: `Bearer ${env('AUDIT_TOKEN')}`,
    })) as { items?: Rec[]; records?: Rec[] };
    const list = records.items ?? records.records ?? [];
    console.log(`[demo] audit trail: ${list.length} records`);
    for (const r of list.slice(0, 20))
      console.log(
        `  ${String(r['kind'])} ${String(r['sourceId'] ?? r['source_id'] ?? '')} → ${String(r['status'])} ${String(r['x3DocumentNumber'] ?? r['x3_document_number'] ?? '')}`,
      );
  } catch (e) {
    console.log(`[demo] audit trail not readable: ${(e as Error).message}`);
  }
  const missing = want.filter((w) => !docs.some((d) => String(recordOf(d)['REF']) === w));
  if (invoices(docs) < bills) missing.push(`${bills - invoices(docs)} supplier invoice(s)`);
  if (missing.length) {
    console.log(
      `[demo] not posted within the time limit: ${missing.join(', ')} (see the console and .cache/demo/logs)`,
    );
    process.exitCode = 1;
  } else console.log('[demo] every expected document is in Sage X3, exactly once');
}

main().catch((e) => {
  console.error(`[demo] ${(e as Error).message}`);
  process.exit(1);
});
