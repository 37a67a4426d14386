/* Mapping rules version 2 on a real Kafka broker (the mapper app, issue 13): installation labor and service labor land
 * on their own accounts; with strict job types a job of an unmapped type is rejected with JOB_TYPE_UNMAPPED; a refused
 * rules file keeps the rules in effect; the fixed file is picked up without a restart, and the job's record replayed
 * as the audit-service replays it (its original bytes, same key, replay headers) posts exactly once. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import {
  createEnvelope,
  Headers as H,
  jobKey,
  jobRecordKey,
  JournalEntryRequestedV1,
  MappingRejectedV1,
  MessageEnvelope,
  recordKey,
  ST_GROSS_PAY_ITEM_RECORD,
  ST_INVOICE_RECORD,
  ST_JOB_RECORD,
  Topics,
} from '@connector/contracts';
import { BusContext, envelopeHeaders } from '@connector/messaging';
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
  grossPayRecord,
  invoiceRecord,
  JOB_TYPES,
  jobRecord,
  masterDataStates,
  masterEnvelope,
  TEST_RULES_V2_JSON,
} from '../testing/mapper-fixtures';
import { AppModule } from './app.module';
import { MapperEnv } from './mapper.env';

jest.setTimeout(180000);

const T = 'acme';

describe('mapping rules v2 on a real Kafka broker: accounts by job type, strict job types, reload, replay', () => {
  const prefix = uniquePrefix('rules-v2');
  const out: BusContext[] = [];
  let io: MessagingHarness;
  let mapper: AppUnderTest;
  let rulesFile: string;

  const entriesFor = (jobId: number) =>
    out
      .filter(
        (m) =>
          m.topic === Topics.JournalEntryRequested &&
          (m.envelope.payload as JournalEntryRequestedV1).source.id === String(jobId),
      )
      .map((m) => m.envelope.payload as JournalEntryRequestedV1);
  const rejectionsFor = (jobId: number) =>
    out
      .filter(
        (m) =>
          m.topic === Topics.MappingRejected && (m.envelope.payload as MappingRejectedV1).source.id === String(jobId),
      )
      .map((m) => m.envelope.payload as MappingRejectedV1);
  const settle = () => new Promise((r) => setTimeout(r, 1000));
  const metrics = async () => (await fetch(`${mapper.url}/metrics`)).text();

  /**
   * A completed job of a type (business unit 1) with its invoice and one gross pay item; returns the job record.
   * `partitionKey`: another job's, for a probe behind that job's records.
   */
  async function completedJob(jobId: number, jobTypeId: number, partitionKey = jobKey(T, jobId)) {
    const businessUnitId = 1;
    const labor = '80';
    const publish = (type: string, payload: object, key: string) =>
      io.publisher.publish(Topics.StRecords, createEnvelope({ type, tenant: T, source: 'poll', payload }), {
        key,
        partitionKey,
      });
    const inv = invoiceRecord({ invoiceId: jobId, jobId });
    await publish(ST_INVOICE_RECORD, inv, jobRecordKey(T, jobId, 'invoice', jobId));
    const gpi = grossPayRecord(jobId, labor, { jobId });
    await publish(ST_GROSS_PAY_ITEM_RECORD, gpi, jobRecordKey(T, jobId, 'gross-pay-item', jobId));
    const envelope = createEnvelope({
      type: ST_JOB_RECORD,
      tenant: T,
      source: 'poll',
      payload: jobRecord({ jobId, jobNumber: `J-${jobId}`, invoiceId: jobId, jobTypeId, businessUnitId }),
    });
    await io.publisher.publish(Topics.StRecords, envelope, { key: partitionKey, partitionKey });
    return envelope;
  }

  /** What the audit-service replay publishes: the stored bytes, the same key (no partition key), replay headers. */
  const replay = (original: MessageEnvelope<unknown>) =>
    io.publisher.publishRaw(Topics.StRecords, [
      {
        key: jobKey(T, (original.payload as { jobId: number }).jobId),
        value: JSON.stringify(original),
        headers: envelopeHeaders(original, {
          [H.ReplayId]: randomUUID(),
          [H.ReplayOfMessageId]: original.id,
          [H.ReplayActor]: 'controller@example.test',
          [H.ReplayReason]: 'warranty rule added',
        }),
      },
    ]);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapper-rules-v2-'));
    rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify(TEST_RULES_V2_JSON));
    const tenants = writeTestTenantsFile([testTenant({ id: T, extra: { mappingRulesFile: rulesFile } })]);
    const env = validateEnv(MapperEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      PORT: '0',
      MAPPER_RETRY_ATTEMPTS: '2',
      MAPPER_RETRY_BACKOFF_MS: '50',
      MAPPER_RULES_RELOAD_MS: '200',
    });
    io = await startMessagingHarness(
      prefix,
      [
        {
          group: 'test-reader',
          topics: [Topics.JournalEntryRequested, Topics.MappingRejected],
          handler: async (m) => void out.push(m),
        },
      ],
      'test-io',
    );
    for (const s of masterDataStates())
      await io.publisher.publish(s.topic, masterEnvelope(T, s), {
        key: recordKey(T, s.topic.split('.')[2], s.payload['code'] as string),
      });
    mapper = await startAppUnderTest(AppModule.forRoot(env), 'mapper');
    await eventually(
      async () => (await fetch(`${mapper.url}/health/ready`)).status,
      (s) => s === 200,
      'mapper ready',
    );
  });

  afterAll(async () => {
    await mapper?.close();
    await io?.close();
  });

  it('installation labor and service labor land on their own accounts', async () => {
    await completedJob(5301, JOB_TYPES.install);
    await completedJob(5001, JOB_TYPES.service);
    const [install] = await eventually(
      () => entriesFor(5301),
      (l) => l.length === 1,
      'the installation job',
    );
    const [service] = await eventually(
      () => entriesFor(5001),
      (l) => l.length === 1,
      'the service job',
    );
    const labor = (e: JournalEntryRequestedV1) =>
      e.lines.filter((l) => l.costKind === 'labor').map((l) => [l.side, l.account, l.amount, l.costCenter]);
    expect(labor(install)).toEqual([['debit', '642000', '80.00', 'CC-HVAC']]);
    expect(labor(service)).toEqual([['debit', '641000', '80.00', 'CC-HVAC']]);
    // Equipment has its own account too; both offsets go to accrued payroll / inventory.
    expect(install.lines.map((l) => [l.costKind, l.side, l.account])).toEqual([
      ['material', 'debit', '601000'],
      ['equipment', 'debit', '615000'],
      ['labor', 'debit', '642000'],
      ['offset', 'credit', '310000'],
      ['offset', 'credit', '310000'],
      ['offset', 'credit', '421000'],
    ]);
  });

  it('strict: a job of an unmapped type is rejected with JOB_TYPE_UNMAPPED; a refused rules file changes nothing; the fixed file is reloaded and the replayed job posts once', async () => {
    const warranty = await completedJob(5501, JOB_TYPES.warranty);
    const [rejected] = await eventually(
      () => rejectionsFor(5501),
      (l) => l.length === 1,
      'the rejection',
    );
    expect(rejected).toMatchObject({
      source: { kind: 'job', id: '5501', revision: 1 },
      sourceTopic: Topics.StRecords,
      // The record that made the mapper decide (the job's, or one of its costs' when the view had read ahead).
      sourceMessageId: expect.any(String),
      reasons: [
        {
          code: 'JOB_TYPE_UNMAPPED',
          message: 'job type 55 has no rule in the mapping rules (jobTypes.strict)',
          field: 'jobTypeId',
        },
      ],
    });
    expect(entriesFor(5501)).toHaveLength(0);
    const rejectionKey = out.find((m) => m.topic === Topics.MappingRejected)?.key;
    expect(rejectionKey).toBe('acme:job:5501');

    // A broken edit: refused (metric), the rules in effect stay (a replay still rejects, an install still posts).
    const withWarranty = {
      ...TEST_RULES_V2_JSON,
      accounts: {
        ...TEST_RULES_V2_JSON.accounts,
        rules: [
          ...TEST_RULES_V2_JSON.accounts.rules,
          { name: 'warranty labor', jobTypes: [JOB_TYPES.warranty], accounts: { labor: { debit: '642500' } } },
        ],
      },
    };
    writeFileSync(rulesFile, JSON.stringify({ ...withWarranty, jobTypes: { strict: 'yes' } }));
    await eventually(
      metrics,
      (m) => m.includes('connector_mapping_rules_invalid{tenant="acme",app="mapper"} 1'),
      'refused',
    );
    await replay(warranty);
    await eventually(
      () => rejectionsFor(5501),
      (l) => l.length === 2,
      'the replay rejected again under the rules in effect',
    );
    await completedJob(5302, JOB_TYPES.install);
    await eventually(
      () => entriesFor(5302),
      (l) => l.length === 1,
      'an install under the rules in effect',
    );

    // The fix: picked up without a restart.
    writeFileSync(rulesFile, JSON.stringify(withWarranty));
    await eventually(
      metrics,
      (m) =>
        m.includes('connector_mapping_rules_invalid{tenant="acme",app="mapper"} 0') &&
        m.includes('connector_mapping_rules_reloads_total{tenant="acme",outcome="loaded",app="mapper"} 1'),
      'reloaded',
    );
    await replay(warranty);
    const [posted] = await eventually(
      () => entriesFor(5501),
      (l) => l.length >= 1,
      'the replayed job posted',
    );
    expect(posted).toMatchObject({ externalRef: 'acme:JOB:5501:R1', source: { kind: 'job', id: '5501', revision: 1 } });
    expect(posted.lines.find((l) => l.costKind === 'labor')).toMatchObject({ account: '642500', amount: '80.00' });

    // Replayed again, and the job's record read again by the feeds: nothing more.
    await replay(warranty);
    await io.publisher.publish(Topics.StRecords, warranty, { key: jobKey(T, 5501), partitionKey: jobKey(T, 5501) });
    // A probe on job 5501's partition: once it is posted, everything before it there was decided.
    await completedJob(5303, JOB_TYPES.install, jobKey(T, 5501));
    await eventually(
      () => entriesFor(5303),
      (l) => l.length === 1,
      'the probe',
    );
    await settle();
    expect(entriesFor(5501)).toHaveLength(1);
    expect(rejectionsFor(5501)).toHaveLength(2);
  });
});
