import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  BACKFILL_REPORT,
  BACKFILL_STATUS,
  BackfillReportV1,
  createEnvelope,
  jobKey,
  jobRecordKey,
  JournalEntryRequestedV1,
  MappingRejectedV1,
  MarkExportedCommandV1,
  POSTING_RESULT,
  recordKey,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVENTORY_BILL_REVISION,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  ST_PURCHASE_ORDER_REVISION,
  ST_RECORDS_MARKER,
  SupplierInvoiceRequestedV1,
  Topics,
  X3_GL_ACCOUNT_STATE,
} from '@connector/contracts';
import { BusContext, partitionForKey } from '@connector/messaging';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import {
  billRevision,
  grossPayRecord,
  invoiceRecord,
  jobRecord,
  masterDataStates,
  masterEnvelope,
  TEST_RULES_JSON,
} from '../testing/mapper-fixtures';
import { AppModule } from './app.module';
import { MapperEnv } from './mapper.env';

jest.setTimeout(180000);

const T = 'acme';
const PARTITIONS = 3;

describe('mapper on a real Kafka broker: jobs joined with their costs from servicetitan.records.v1', () => {
  const prefix = uniquePrefix('mapper');
  const out: BusContext[] = [];
  let io: MessagingHarness;
  let mapper: AppUnderTest;
  let env: MapperEnv;

  const entriesFor = (jobId: number) =>
    out
      .filter(
        (m) =>
          m.topic === Topics.JournalEntryRequested &&
          (m.envelope.payload as JournalEntryRequestedV1).source.id === String(jobId),
      )
      .map((m) => m.envelope.payload as JournalEntryRequestedV1);
  const rejectionsFor = (id: number) =>
    out
      .filter(
        (m) => m.topic === Topics.MappingRejected && (m.envelope.payload as MappingRejectedV1).source.id === String(id),
      )
      .map((m) => m.envelope.payload as MappingRejectedV1);
  const record = (type: string, payload: object, key: string, partitionKey: string) =>
    io.publisher.publish(Topics.StRecords, createEnvelope({ type, tenant: T, source: 'poll', payload }), {
      key,
      partitionKey,
    });
  const job = (o: Parameters<typeof jobRecord>[0] = {}) => {
    const j = jobRecord(o);
    return record(ST_JOB_RECORD, j, jobKey(T, j.jobId), jobKey(T, j.jobId));
  };
  const invoice = (o: Parameters<typeof invoiceRecord>[0] = {}) => {
    const i = invoiceRecord(o);
    return record(ST_INVOICE_RECORD, i, jobRecordKey(T, i.jobId, 'invoice', i.invoiceId), jobKey(T, i.jobId));
  };
  const grossPay = (id: number, amount: string, o: Parameters<typeof grossPayRecord>[2] = {}) => {
    const g = grossPayRecord(id, amount, o);
    return record(ST_GROSS_PAY_ITEM_RECORD, g, jobRecordKey(T, g.jobId, 'gross-pay-item', id), jobKey(T, g.jobId));
  };
  const settle = () => new Promise((r) => setTimeout(r, 700));
  const invoiceRequests = () =>
    out
      .filter((m) => m.topic === Topics.SupplierInvoiceRequested)
      .map((m) => m as BusContext<SupplierInvoiceRequestedV1>);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapper-rules-'));
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ ...TEST_RULES_JSON, labor: { source: 'gross-pay-items' } }));
    const tenants = writeTestTenantsFile([
      testTenant({
        id: T,
        servicetitan: { syncFrom: '2026-01-10', writeBack: { enabled: true } },
        extra: { mappingRulesFile: rulesFile },
      }),
    ]);
    env = validateEnv(MapperEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
      MAPPER_RETRY_ATTEMPTS: '2',
      MAPPER_RETRY_BACKOFF_MS: '50',
    });
    io = await startMessagingHarness(
      prefix,
      [
        {
          group: 'test-reader',
          topics: [
            Topics.JournalEntryRequested,
            Topics.MappingRejected,
            Topics.SupplierInvoiceRequested,
            Topics.Backfill,
            Topics.StCommand,
          ],
          handler: async (m) => void out.push(m),
        },
      ],
      'test-io',
    );
    // Master data is on the compacted topics BEFORE the mapper starts: it must rebuild its cache from them.
    for (const s of masterDataStates())
      await io.publisher.publish(s.topic, masterEnvelope(T, s), {
        key: recordKey(T, s.topic.split('.')[2], s.payload['code'] as string),
      });
    mapper = await startAppUnderTest(AppModule.forRoot(env), 'mapper');
  });

  afterAll(async () => {
    await mapper?.close();
    await io?.close();
  });

  it('maps a completed job once its invoice and labor are in, to one balanced entry (labor: TimesheetTime items)', async () => {
    await eventually(
      async () => (await fetch(`${mapper.url}/health/ready`)).status,
      (s) => s === 200,
      'mapper ready',
    );
    // Costs first (the gateway reads the cost feeds before the jobs feed), then the job.
    await invoice();
    await grossPay(1, '81.25');
    await grossPay(2, '25');
    await grossPay(3, '40', { grossPayItemType: 'InvoiceRelatedBonus' });
    await job();
    const [entry] = await eventually(
      () => entriesFor(4242),
      (l) => l.length >= 1,
      'journal entry for job 4242',
    );
    expect(entry).toMatchObject({
      externalRef: 'acme:JOB:4242:R1',
      site: 'FR011',
      accountingDate: '2026-01-15',
      reversalOf: null,
    });
    expect(entry.lines.map((l) => [l.costKind, l.side, l.account, l.amount, l.costCenter ?? null])).toEqual([
      ['material', 'debit', '601000', '24.82', 'CC-HVAC'],
      ['labor', 'debit', '641000', '106.25', 'CC-HVAC'],
      ['offset', 'credit', '310000', '24.82', null],
      ['offset', 'credit', '421000', '106.25', null],
    ]);
    const key = out.find((m) => m.topic === Topics.JournalEntryRequested)!.key;
    expect(key).toBe('acme:job:4242');
  });

  it('the same records again (a repeated read) yield nothing; a job that arrives before its invoice waits for it', async () => {
    await job();
    await invoice();
    await job({ jobId: 777, invoiceId: 778 });
    await settle();
    expect(entriesFor(777)).toHaveLength(0);
    await invoice({ invoiceId: 778, jobId: 777 });
    await eventually(
      () => entriesFor(777),
      (l) => l.length === 1,
      'job 777 once its invoice arrived',
    );
    await settle();
    expect(entriesFor(4242)).toHaveLength(1);
  });

  it('a gross pay item added after the job was posted yields exactly one correction', async () => {
    await grossPay(4, '20.10', { modifiedOn: '2026-01-20T08:00:00.000Z' });
    const l = await eventually(
      () => entriesFor(4242),
      (x) => x.length >= 3,
      'reversal and R2',
    );
    await settle();
    expect(entriesFor(4242).map((e) => e.externalRef)).toEqual([
      'acme:JOB:4242:R1',
      'acme:JOB:4242:R1:REV',
      'acme:JOB:4242:R2',
    ]);
    expect(l[2].lines.find((x) => x.costKind === 'labor')?.amount).toBe('126.35');
  });

  it('stale versions: an older job version read after a cancellation does not post; an older cost does not re-post', async () => {
    await invoice({ invoiceId: 801, jobId: 801 });
    await job({ jobId: 801, invoiceId: 801, jobStatus: 'Canceled', modifiedOn: '2026-01-16T00:00:00.000Z' });
    await job({ jobId: 801, invoiceId: 801, modifiedOn: '2026-01-15T15:01:00.000Z' });
    // An older version of job 4242's invoice after R2.
    await invoice({ modifiedOn: '2026-01-15T10:00:00.000Z', items: [] });
    // Probe: a later job on another key proves the records above were handled.
    await invoice({ invoiceId: 802, jobId: 802 });
    await job({ jobId: 802, invoiceId: 802 });
    await eventually(
      () => entriesFor(802),
      (l) => l.length === 1,
      'probe job 802',
    );
    await settle();
    expect(entriesFor(801)).toHaveLength(0);
    expect(entriesFor(4242)).toHaveLength(3);
  });

  /** Job ids on the partition of `jobId`, not used elsewhere: a probe there is handled after everything before it. */
  let nextProbe = 9000;
  const probeAfter = async (jobId: number) => {
    const partition = partitionForKey(jobKey(T, jobId), PARTITIONS);
    while (partitionForKey(jobKey(T, ++nextProbe), PARTITIONS) !== partition);
    const probe = nextProbe;
    await invoice({ invoiceId: probe, jobId: probe });
    await job({ jobId: probe, invoiceId: probe });
    await eventually(
      () => entriesFor(probe),
      (l) => l.length === 1,
      `probe job ${probe} on the partition of job ${jobId}`,
    );
  };
  const refsOf = (jobId: number) => entriesFor(jobId).map((e) => e.externalRef);

  it('after a cancellation, only a newer completion posts the job', async () => {
    // Job 801 above: canceled at 01-16, its older completion ignored. ServiceTitan completes it again on 01-17.
    await job({ jobId: 801, invoiceId: 801, modifiedOn: '2026-01-17T09:00:00.000Z' });
    await eventually(
      () => refsOf(801),
      (l) => l.length >= 1,
      'job 801 completed again',
    );
    await probeAfter(801);
    expect(refsOf(801)).toEqual(['acme:JOB:801:R1']);
  });

  it('order by the source modifiedOn, also after a restart: a superseded completion never re-posts a canceled job', async () => {
    const J = 803;
    const completed = { jobId: J, invoiceId: J, modifiedOn: '2026-01-15T15:01:00.000Z' };
    await invoice({ invoiceId: J, jobId: J });
    await job(completed);
    await eventually(
      () => refsOf(J),
      (l) => l.length === 1,
      'R1',
    );
    await job({ ...completed, jobStatus: 'Canceled', modifiedOn: '2026-01-16T00:00:00.000Z' });
    await eventually(
      () => refsOf(J),
      (l) => l.length === 2,
      'the reversal',
    );
    // The completion the cancellation superseded, published again (a previous owner's late write, a re-read).
    await job(completed);
    await probeAfter(J);
    expect(refsOf(J)).toEqual(['acme:JOB:803:R1', 'acme:JOB:803:R1:REV']);

    // A restarted mapper knows the order from Kafka alone (the records view and its checkpoints).
    await mapper.close();
    mapper = await startAppUnderTest(AppModule.forRoot(env), 'mapper');
    await eventually(
      async () => (await fetch(`${mapper.url}/health/ready`)).status,
      (s) => s === 200,
      'mapper ready again',
    );
    await job(completed);
    await job({ ...completed, jobStatus: 'Canceled', modifiedOn: '2026-01-15T23:00:00.000Z' });
    await probeAfter(J);
    expect(refsOf(J)).toEqual(['acme:JOB:803:R1', 'acme:JOB:803:R1:REV']);

    // A newer completion is a real one: posted again as the next revision.
    await job({ ...completed, modifiedOn: '2026-01-18T00:00:00.000Z' });
    await eventually(
      () => refsOf(J),
      (l) => l.length === 3,
      'R2 after the newer completion',
    );
    await probeAfter(J);
    expect(refsOf(J)).toEqual(['acme:JOB:803:R1', 'acme:JOB:803:R1:REV', 'acme:JOB:803:R2']);
  });

  it('an inactive X3 account yields mapping.rejected with ACCOUNT_INACTIVE', async () => {
    const inactive = createEnvelope({
      type: X3_GL_ACCOUNT_STATE,
      tenant: T,
      source: 'poller',
      payload: {
        code: '641000',
        active: false,
        deleted: false,
        updatedAt: '2026-02-01T00:00:00Z',
        allowedDimensionTypes: ['CCE'],
      },
    });
    await io.publisher.publish(Topics.X3GlAccount, inactive, { key: recordKey(T, 'gl-account', '641000') });
    const rejected = await eventually(
      async () => {
        if (rejectionsFor(5000).length === 0) {
          await invoice({ invoiceId: 5000, jobId: 5000 });
          await grossPay(50, '10', { jobId: 5000, modifiedOn: new Date().toISOString() });
          await job({ jobId: 5000, invoiceId: 5000 });
        }
        await new Promise((r) => setTimeout(r, 300));
        return rejectionsFor(5000);
      },
      (l) => l.length >= 1,
      'rejection of job 5000',
    );
    expect(rejected[0].reasons.map((r) => r.code)).toEqual(['ACCOUNT_INACTIVE']);
    expect(rejected[0].source).toEqual({ kind: 'job', id: '5000', revision: 1 });
    expect(entriesFor(5000)).toHaveLength(0);
    const active = createEnvelope({
      type: X3_GL_ACCOUNT_STATE,
      tenant: T,
      source: 'poller',
      payload: {
        code: '641000',
        active: true,
        deleted: false,
        updatedAt: '2026-02-02T00:00:00Z',
        allowedDimensionTypes: ['CCE'],
      },
    });
    await io.publisher.publish(Topics.X3GlAccount, active, { key: recordKey(T, 'gl-account', '641000') });
  });

  it('an inventory bill revision yields a supplier invoice request against the X3 PO', async () => {
    await record(
      ST_PURCHASE_ORDER_REVISION,
      {
        purchaseOrderId: 1101,
        number: 'PO-1101',
        status: 'Received',
        vendorId: 301,
        total: '70.5',
        modifiedOn: '2026-01-03T00:00:00.000Z',
        items: [],
      },
      recordKey(T, 'purchase-order', 1101),
      recordKey(T, 'purchase-order', 1101),
    );
    const after = billRevision({
      billId: 902,
      billDate: '2026-01-12T00:00:00.000Z',
      modifiedOn: '2026-01-12T09:00:00.000Z',
    });
    await record(ST_INVENTORY_BILL_REVISION, after, recordKey(T, 'bill', 902), recordKey(T, 'bill', 902));
    // Dated before this tenant's go-live (2026-01-10): held (next test).
    await record(ST_INVENTORY_BILL_REVISION, billRevision(), recordKey(T, 'bill', 901), recordKey(T, 'bill', 901));
    const got = await eventually(
      () => invoiceRequests(),
      (l) => l.length >= 1,
      'supplier invoice request',
    );
    expect(got[0].key).toBe('acme:bill:902');
    expect(got[0].envelope.payload).toMatchObject({
      externalRef: 'acme:BILL:902:R1',
      supplier: 'SUP001',
      controlTotal: '70.5',
      supersedes: null,
      lines: [
        { purchaseOrder: 'PO0001', purchaseOrderLine: 1000, product: 'FILTER-16', quantity: '2' },
        {
          purchaseOrder: 'PO0001',
          purchaseOrderLine: 2000,
          product: 'PIPE-CU-12',
          quantity: '10.5',
          netPrice: '4.333',
        },
      ],
    });
  });

  it('before the go-live date: held (BEFORE_GO_LIVE, told once); a dry-run backfill reports; the real one posts once', async () => {
    await eventually(
      () => rejectionsFor(901),
      (l) => l.length >= 1,
      'the bill held',
    );
    expect(rejectionsFor(901)[0]).toMatchObject({ hold: true, reasons: [{ code: 'BEFORE_GO_LIVE' }] });
    await invoice({ invoiceId: 600, jobId: 600 });
    await grossPay(60, '50', { jobId: 600 });
    await job({ jobId: 600, invoiceId: 600, completedOn: '2026-01-05T15:00:00.000Z' });
    await eventually(
      () => rejectionsFor(600),
      (l) => l.length === 1,
      'the job held',
    );
    expect(rejectionsFor(600)[0]).toMatchObject({ hold: true, reasons: [{ code: 'BEFORE_GO_LIVE' }] });
    await job({ jobId: 600, invoiceId: 600, completedOn: '2026-01-05T15:00:00.000Z', jobNumber: 'again' });
    await settle();
    expect(rejectionsFor(600)).toHaveLength(1);

    const backfill = async (requestId: string, dryRun: boolean) => {
      const window = { requestId, from: '2026-01-01', to: '2026-01-09', dryRun };
      for (let p = 0; p < PARTITIONS; p++)
        await io.publisher.publish(
          Topics.StRecords,
          createEnvelope({
            type: ST_RECORDS_MARKER,
            tenant: T,
            source: 'poll',
            payload: { kind: 'backfill', partition: p, at: new Date().toISOString(), backfill: window },
          }),
          { key: `${T}:marker:backfill:${requestId}:p${p}`, partition: p },
        );
      const reports = await eventually(
        () =>
          out.filter(
            (m) =>
              m.topic === Topics.Backfill &&
              m.envelope.type === BACKFILL_REPORT &&
              (m.envelope.payload as BackfillReportV1).requestId === requestId,
          ),
        (l) => l.length === PARTITIONS,
        `the ${PARTITIONS} reports of ${requestId}`,
      );
      return reports.map((m) => m.envelope.payload as BackfillReportV1);
    };
    const dry = await backfill('dry-1', true);
    const sum = (f: (r: BackfillReportV1) => number) => dry.reduce((a, r) => a + f(r), 0);
    expect(sum((r) => r.jobs.toPost)).toBe(1);
    expect(sum((r) => r.bills.toPost)).toBe(1);
    expect(dry.flatMap((r) => r.lines)).toEqual(
      expect.arrayContaining([
        { costCenter: 'CC-HVAC', account: '641000', debit: '50', credit: '0' },
        { costCenter: null, account: '421000', debit: '0', credit: '50' },
      ]),
    );
    expect(dry.flatMap((r) => r.suppliers)).toEqual([{ supplier: 'SUP001', count: 1, amount: '70.5' }]);
    await settle();
    expect(entriesFor(600)).toHaveLength(0);
    expect(invoiceRequests()).toHaveLength(1);

    const real = await backfill('real-1', false);
    expect(real.reduce((a, r) => a + r.jobs.toPost, 0)).toBe(1);
    await eventually(
      () => entriesFor(600),
      (l) => l.length === 1,
      'the backfilled job',
    );
    const bills = await eventually(
      () => invoiceRequests(),
      (l) => l.length === 2,
      'the backfilled bill',
    );
    expect(bills[1].envelope.payload.externalRef).toBe('acme:BILL:901:R1');
    // Running it again posts nothing twice.
    const again = await backfill('real-2', false);
    expect(again.reduce((a, r) => a + r.jobs.toPost + r.bills.toPost, 0)).toBe(0);
    expect(again.reduce((a, r) => a + r.jobs.alreadyPosted + r.bills.alreadyPosted, 0)).toBe(2);
    await settle();
    expect(entriesFor(600)).toHaveLength(1);
    // A later change of the released job is mapped (a correction), not held again.
    await grossPay(61, '5', { jobId: 600, modifiedOn: '2026-01-25T00:00:00.000Z' });
    await eventually(
      () => entriesFor(600),
      (l) => l.length === 3,
      'the correction of the backfilled job',
    );
    expect(out.some((m) => m.envelope.type === BACKFILL_STATUS)).toBe(false);
  });

  it('write-back on: a posting result of the document in effect becomes a mark-exported command', async () => {
    const result = (externalRef: string, id: string, kind: 'job' | 'inventory-bill', revision: number) =>
      io.publisher.publish(
        Topics.PostingResult,
        createEnvelope({
          type: POSTING_RESULT,
          tenant: T,
          source: 'poster',
          payload: {
            externalRef,
            documentKind: kind === 'job' ? 'journal-entry' : 'supplier-invoice',
            status: 'posted',
            source: { kind, id, revision },
            x3DocumentNumber: `DOC-${id}`,
            attempt: 1,
            requestMessageId: 'm',
          },
        }),
        { key: recordKey(T, kind === 'job' ? 'job' : 'bill', id) },
      );
    await result('acme:JOB:4242:R1', '4242', 'job', 1); // replaced by R2: no mark
    await result('acme:JOB:4242:R1:REV', '4242', 'job', 1); // a reversal: no mark
    await result('acme:JOB:4242:R2', '4242', 'job', 2);
    await result('acme:BILL:901:R1', '901', 'inventory-bill', 1);
    const marks = await eventually(
      () => out.filter((m) => m.topic === Topics.StCommand).map((m) => m.envelope.payload as MarkExportedCommandV1),
      (l) => l.length >= 2,
      'two marks',
    );
    await settle();
    const commands = out.filter((m) => m.topic === Topics.StCommand);
    // Results of a job and of a bill are on different partitions: their order is not guaranteed.
    const sorted = commands
      .map((m) => [m.key, m.envelope.payload] as const)
      .sort((a, b) => (a[1] as MarkExportedCommandV1).entity.localeCompare((b[1] as MarkExportedCommandV1).entity));
    expect(sorted).toEqual([
      ['acme', { entity: 'inventory-bill', id: 901, x3DocumentNumber: 'DOC-901', externalRef: 'acme:BILL:901:R1' }],
      ['acme', { entity: 'invoice', id: 900, x3DocumentNumber: 'DOC-4242', externalRef: 'acme:JOB:4242:R2' }],
    ]);
    expect(marks).toHaveLength(2);
  });
});
