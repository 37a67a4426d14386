import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  JournalEntryRequestedV1,
  MappingRejectedV1,
  MessageEnvelope,
  recordKey,
  ServiceTitanJobEventV1,
  ST_INVENTORY_BILL_REVISION,
  ST_JOB_EVENT,
  SupplierInvoiceRequestedV1,
  Topics,
  X3_GL_ACCOUNT_STATE,
} from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { ServiceTitanSimulator, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  eventually,
  MessagingHarness,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import {
  billRevision,
  completedJob,
  masterDataStates,
  masterEnvelope,
  TEST_RULES_JSON,
} from '../testing/mapper-fixtures';
import { AppModule } from './app.module';
import { MapperEnv } from './mapper.env';

jest.setTimeout(120000);

const T = 'acme';
const grossPay = (id: number, jobId: number, amount: number) => ({
  id,
  employeeId: 201,
  employeeType: 'Technician' as const,
  payrollId: 77,
  date: '2026-01-15T00:00:00.000Z',
  amount,
  grossPayItemType: 'TimesheetTime' as const,
  jobId,
  createdOn: '2026-01-15T18:00:00.000Z',
  modifiedOn: '2026-01-15T18:00:00.000Z',
});

describe('mapper on a real Kafka broker', () => {
  const prefix = uniquePrefix('mapper');
  const out: BusContext[] = [];
  let sim: ServiceTitanSimulator;
  let io: MessagingHarness;
  let mapper: AppUnderTest;

  const entriesFor = (jobId: number) =>
    out
      .filter(
        (m) =>
          m.topic === Topics.JournalEntryRequested &&
          (m.envelope.payload as JournalEntryRequestedV1).source.id === String(jobId),
      )
      .map((m) => m as BusContext<JournalEntryRequestedV1>);
  const rejectionsFor = (id: number) =>
    out
      .filter(
        (m) => m.topic === Topics.MappingRejected && (m.envelope.payload as MappingRejectedV1).source.id === String(id),
      )
      .map((m) => m as BusContext<MappingRejectedV1>);
  const publishJob = (
    job: ServiceTitanJobEventV1,
    eventId = job.sourceEventId,
  ): Promise<MessageEnvelope<ServiceTitanJobEventV1>> => {
    const env = createEnvelope({
      type: ST_JOB_EVENT,
      tenant: T,
      source: 'webhook',
      payload: job,
      correlationId: eventId,
    });
    return io.publisher.publish(Topics.StJob, env, { key: recordKey(T, 'job', job.jobId) }).then(() => env);
  };

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          {
            id: TEST_CREDENTIALS.stTenantId,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
            grossPayItems: [
              grossPay(1, 4242, 81.25),
              grossPay(2, 4242, 25),
              grossPay(3, 777, 500),
              grossPay(4, 5000, 10),
            ],
          },
        ],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'mapper-rules-'));
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        ...TEST_RULES_JSON,
        labor: { source: 'gross-pay-items', grossPayWindowDaysBefore: 1, grossPayWindowDaysAfter: 1 },
      }),
    );
    const tenants = writeTestTenantsFile([
      testTenant({ id: T, stUrl: sim.url, extra: { mappingRulesFile: rulesFile } }),
    ]);
    const env = validateEnv(MapperEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
      MAPPER_ST_MAX_RETRIES: '1',
      MAPPER_RETRY_ATTEMPTS: '2',
      MAPPER_RETRY_BACKOFF_MS: '50',
    });
    io = await startMessagingHarness(
      prefix,
      [
        {
          group: 'test-reader',
          topics: [Topics.JournalEntryRequested, Topics.MappingRejected, Topics.SupplierInvoiceRequested],
          handler: async (m) => void out.push(m),
        },
      ],
      'test-io',
    );
    // Master data is on the compacted topics BEFORE the mapper starts: it must rebuild its cache from them.
    for (const s of masterDataStates()) {
      const e = masterEnvelope(T, s);
      await io.publisher.publish(s.topic, e, {
        key: recordKey(T, s.topic.split('.')[2], s.payload['code'] as string),
      });
    }
    mapper = await startAppUnderTest(AppModule.forRoot(env), 'mapper');
  });

  afterAll(async () => {
    await mapper?.close();
    await io?.close();
    await sim?.close();
  });

  it('becomes ready once the master data is loaded, and maps a completed job to one balanced journal entry (labor from payroll)', async () => {
    await eventually(
      async () => (await fetch(`${mapper.url}/health/ready`)).status,
      (s) => s === 200,
      'mapper ready',
    );
    const sent = await publishJob(completedJob());
    const [entry] = await eventually(
      () => entriesFor(4242),
      (l) => l.length >= 1,
      'journal entry for job 4242',
    );
    expect(entry.key).toBe('acme:job:4242');
    expect(entry.envelope).toMatchObject({
      type: 'connector.journal-entry.requested',
      tenant: T,
      source: 'mapper',
      correlationId: sent.correlationId,
      causationId: sent.id,
    });
    expect(entry.envelope.payload).toMatchObject({
      externalRef: 'acme:JOB:4242:R1',
      site: 'FR011',
      currency: 'USD',
      accountingDate: '2026-01-15',
      reversalOf: null,
    });
    expect(
      entry.envelope.payload.lines.map((l) => [l.costKind, l.side, l.account, l.amount, l.costCenter ?? null]),
    ).toEqual([
      ['material', 'debit', '601000', '24.82', 'CC-HVAC'],
      ['labor', 'debit', '641000', '106.25', 'CC-HVAC'],
      ['offset', 'credit', '310000', '24.82', null],
      ['offset', 'credit', '421000', '106.25', null],
    ]);
  });

  it('a redelivered event and a pull duplicate of the same content yield nothing new', async () => {
    await publishJob(completedJob());
    await publishJob(completedJob({ sourceEventId: 'export:4242:2026-01-15T15:01:00Z' }));
    // A later job on its own key proves the duplicates were handled before we count.
    await publishJob(completedJob({ jobId: 777, jobNumber: 'J-777', sourceEventId: 'evt-777', invoice: null }));
    await eventually(
      () => entriesFor(777),
      (l) => l.length === 1,
      'probe job 777',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(entriesFor(4242)).toHaveLength(1);
  });

  it('a changed job yields a reversal of R1 and then R2', async () => {
    await publishJob(
      completedJob({
        event: 'updated',
        sourceEventId: 'evt-2',
        invoice: {
          id: 900,
          items: [
            { id: 1, type: 'Material', quantity: '4', cost: '12.25', totalCost: '49.00', costOfSaleAccount: '5000' },
          ],
        },
      }),
    );
    const l = await eventually(
      () => entriesFor(4242),
      (x) => x.length >= 3,
      'reversal and new revision',
    );
    const [rev, next] = [l[1].envelope.payload, l[2].envelope.payload];
    expect(rev).toMatchObject({ externalRef: 'acme:JOB:4242:R1:REV', reversalOf: 'acme:JOB:4242:R1' });
    expect(rev.lines.map((x) => [x.account, x.side, x.amount])).toEqual([
      ['601000', 'credit', '24.82'],
      ['641000', 'credit', '106.25'],
      ['310000', 'debit', '24.82'],
      ['421000', 'debit', '106.25'],
    ]);
    expect(next).toMatchObject({ externalRef: 'acme:JOB:4242:R2', reversalOf: null, source: { revision: 2 } });
    expect(next.lines.find((x) => x.costKind === 'material')?.amount).toBe('49.00');
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
    // The live cache picks the change up; retry a fresh job until it does (ordering across topics is not guaranteed).
    const rejected = await eventually(
      async () => {
        const id = 5000;
        if (rejectionsFor(id).length === 0)
          await publishJob(completedJob({ jobId: id, sourceEventId: `evt-5000-${Date.now()}` }));
        await new Promise((r) => setTimeout(r, 300));
        return rejectionsFor(id);
      },
      (l) => l.length >= 1,
      'rejection of job 5000',
    );
    expect(rejected[0].key).toBe('acme:job:5000');
    expect(rejected[0].envelope.payload.reasons.map((r) => r.code)).toEqual(['ACCOUNT_INACTIVE']);
    expect(rejected[0].envelope.payload.source).toEqual({ kind: 'job', id: '5000', revision: 1 });
    expect(entriesFor(5000)).toHaveLength(0);
  });

  it('an inventory bill revision yields a supplier invoice request against the X3 PO', async () => {
    const env = createEnvelope({
      type: ST_INVENTORY_BILL_REVISION,
      tenant: T,
      source: 'poll',
      payload: billRevision(),
    });
    await io.publisher.publish(Topics.StInventoryBill, env, { key: recordKey(T, 'bill', 901) });
    const got = await eventually(
      () => out.filter((m) => m.topic === Topics.SupplierInvoiceRequested),
      (l) => l.length >= 1,
      'supplier invoice request',
    );
    const req = got[0] as BusContext<SupplierInvoiceRequestedV1>;
    expect(req.key).toBe('acme:bill:901');
    expect(req.envelope.causationId).toBe(env.id);
    expect(req.envelope.payload).toMatchObject({
      externalRef: 'acme:BILL:901:R1',
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
});
