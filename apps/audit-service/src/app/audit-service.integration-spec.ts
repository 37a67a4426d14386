import { Headers as H, MessageEnvelope, Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '@connector/testing';
import { AuditIngestConsumer } from './ingest/audit-ingest.consumer';
import { PayloadRetentionService } from './retention/payload-retention.service';
import { AuditFixtures } from './testing/audit-fixtures';
import {
  call,
  RunningAuditApp,
  startAuditApp,
  TEST_DRIVERS,
  TEST_TOKENS,
  TestDatabase,
} from './testing/audit-test.harness';

jest.setTimeout(120000);

interface Rec {
  id: string;
  tenant: string;
  kind: string;
  sourceId: string;
  status: string;
  statusReason: string | null;
  x3DocumentNumber: string | null;
  x3DocumentStatus: string | null;
  messageCount: number;
  postedAmount: string | null;
}
interface Page {
  total: number;
  items: Rec[];
}
interface TimelineEntry {
  type: string;
  topic: string;
  partition: number;
  offset: string;
  messageId: string | null;
  messageType: string | null;
  status: string | null;
  replayId: string | null;
  actor: string | null;
  reason: string | null;
  outcome: string | null;
  payload: unknown;
  payloadPurged: boolean;
}

describe.each(TEST_DRIVERS)('audit-service on Kafka with $name', (driver) => {
  const prefix = uniquePrefix(`audit-${driver.name}`);
  let database: TestDatabase;
  let audit: RunningAuditApp;
  let bus: MessagingHarness;
  let fx: AuditFixtures;
  const captured: BusContext[] = [];
  const admin = TEST_TOKENS.admin;
  const positions = new Map<string, { topic: string; partition: number; offset: string }>();

  const records = async (query: string, token: string = admin): Promise<Page> =>
    (await call(audit.baseUrl, `/api/records?${query}`, { token })).body as Page;
  const record = async (tenant: string, kind: string, id: string): Promise<Rec | undefined> =>
    (await records(`tenant=${tenant}&kind=${kind}&q=${id}`)).items.find((r) => r.sourceId === id);
  const detail = async (id: string, token: string = admin) =>
    (await call(audit.baseUrl, `/api/records/${id}`, { token })).body as { record: Rec; timeline: TimelineEntry[] };
  const replays = () => captured.filter((m) => m.headers[H.ReplayId]);

  let job1001: MessageEnvelope<unknown>;
  let je1002: MessageEnvelope<unknown>;
  let job1003: MessageEnvelope<unknown>;

  beforeAll(async () => {
    database = await driver.open();
    bus = await startMessagingHarness(
      prefix,
      [
        {
          group: 'capture',
          topics: [
            Topics.StJob,
            Topics.JournalEntryRequested,
            Topics.PostingResult,
            Topics.MappingRejected,
            Topics.SupplierInvoiceRequested,
            Topics.StInventoryBill,
            Topics.DocumentStatus,
          ],
          mode: 'raw',
          handler: async (m) => {
            captured.push(m);
            const id = m.headers[H.MessageId];
            if (id && !m.headers[H.ReplayId])
              positions.set(id, { topic: m.topic, partition: m.partition, offset: m.offset });
          },
        },
      ],
      'bus',
    );
    audit = await startAuditApp(prefix, database.db);
    fx = new AuditFixtures(bus.publisher);

    // acme job 1001: posted and final in X3
    job1001 = await fx.job('acme', 1001, ['100.10', '50.05']);
    const je1001 = await fx.journalEntry(job1001, 1001, [
      { side: 'debit', amount: '100.10', costCenter: 'CC1', costKind: 'labor' },
      { side: 'debit', amount: '50.05', costCenter: 'CC2', costKind: 'material' },
      { side: 'credit', amount: '150.15', costKind: 'offset' },
    ]);
    const res1001 = await fx.result(je1001, 'job', 1001, 'posted', { doc: 'JE-0001', amount: '150.15' });
    await fx.documentStatus(res1001, 'acme:job:1001:1', 'JE-0001', 'final', 'journal-entry');
    // acme job 1002: posting failed
    const job1002 = await fx.job('acme', 1002, ['20.00']);
    je1002 = await fx.journalEntry(job1002, 1002, [
      { side: 'debit', amount: '20.00', costCenter: 'CC1', costKind: 'labor' },
      { side: 'credit', amount: '20.00', costKind: 'offset' },
    ]);
    await fx.result(je1002, 'job', 1002, 'failed');
    // acme job 1003: rejected by the mapper
    job1003 = await fx.job('acme', 1003);
    await fx.rejected(job1003, 1003);
    // acme bill 501: posted, not matched yet
    const bill = await fx.bill('acme', 501, '75.50');
    const si = await fx.supplierInvoice(bill, 501, '75.50');
    await fx.result(si, 'inventory-bill', 501, 'posted', {
      doc: 'PI-0501',
      amount: '75.50',
      documentKind: 'supplier-invoice',
    });
    await fx.documentStatus(si, 'acme:bill:501:1', 'PI-0501', 'unmatched', 'supplier-invoice');
    // acme vendor 77: unparsable bytes, dead-lettered by the mapper
    await fx.deadLetter('acme', Topics.StVendor, 'acme:vendor:77', '{oops', 'invalid message: malformed JSON');
    // globex job 2001: posting failed
    const job2001 = await fx.job('globex', 2001, ['10.00']);
    const je2001 = await fx.journalEntry(job2001, 2001, [
      { side: 'debit', amount: '10.00', costCenter: 'G1', costKind: 'labor' },
      { side: 'credit', amount: '10.00', costKind: 'offset' },
    ]);
    await fx.result(je2001, 'job', 2001, 'failed');

    await eventually(
      () => records('limit=100'),
      (p) => p.items.reduce((n, r) => n + r.messageCount, 0) >= 17,
      'all 17 messages in the audit trail',
    );
  });

  afterAll(async () => {
    await audit?.close();
    await bus?.close();
    await database?.dispose();
  });

  it('derives each record’s status and keeps every step with its topic, partition and offset', async () => {
    const posted = await record('acme', 'job', '1001');
    expect(posted).toMatchObject({
      status: 'posted',
      x3DocumentNumber: 'JE-0001',
      x3DocumentStatus: 'final',
      postedAmount: '150.15',
      messageCount: 4,
    });
    expect(await record('acme', 'job', '1002')).toMatchObject({
      status: 'failed',
      statusReason: 'X3_500: X3 answered 500',
    });
    expect(await record('acme', 'job', '1003')).toMatchObject({ status: 'rejected', statusReason: 'ACCOUNT_INACTIVE' });
    expect(await record('acme', 'inventory-bill', '501')).toMatchObject({
      status: 'posted',
      x3DocumentStatus: 'unmatched',
    });
    expect(await record('acme', 'vendor', '77')).toMatchObject({
      status: 'dead-lettered',
      statusReason: 'invalid message: malformed JSON (group mapper)',
    });

    const { timeline } = await detail(posted!.id);
    const messages = timeline.filter((t) => t.type === 'message');
    expect(messages.map((m) => m.messageType)).toEqual([
      'servicetitan.job.event',
      'connector.journal-entry.requested',
      'x3.posting.result',
      'x3.document.status',
    ]);
    expect(messages.map((m) => m.status)).toEqual(['received', 'requested', 'posted', null]);
    await eventually(
      () => positions.size,
      (n) => n >= 16,
      'capture consumer saw the messages',
    );
    for (const m of messages.filter((x) => x.topic !== Topics.DocumentStatus)) {
      // The position the audit trail recorded is where the message really is on the broker.
      expect({ topic: m.topic, partition: m.partition, offset: m.offset }).toEqual(positions.get(m.messageId!));
    }
  });

  it('reprocessing the same topic position changes nothing (idempotent on topic/partition/offset)', async () => {
    const original = captured.find((m) => m.headers[H.MessageId] === job1003.id)!;
    const before = await record('acme', 'job', '1003');
    await audit.app.get(AuditIngestConsumer).onMessage(original.raw, original);
    const after = await record('acme', 'job', '1003');
    expect(after!.messageCount).toBe(before!.messageCount);
    expect((await detail(after!.id)).timeline.filter((t) => t.type === 'message')).toHaveLength(2);
  });

  it('replays one record exactly once: the original request bytes, same key, replay headers, recorded in the timeline', async () => {
    const failed = (await record('acme', 'job', '1002'))!;
    const res = await call(audit.baseUrl, `/api/records/${failed.id}/replay`, {
      token: admin,
      body: { reason: 'X3 is back' },
    });
    expect(res.status).toBe(200);
    const outcome = res.body as { outcome: string; replayId: string; topic: string };
    expect(outcome).toMatchObject({ outcome: 'published', topic: Topics.JournalEntryRequested });
    const replayed = await eventually(
      () => replays(),
      (r) => r.length >= 1,
      'the replayed request',
    );
    const original = captured.find((m) => m.headers[H.MessageId] === je1002.id && !m.headers[H.ReplayId])!;
    expect(replayed).toHaveLength(1);
    expect(replayed[0].topic).toBe(Topics.JournalEntryRequested);
    expect(replayed[0].key).toBe(original.key);
    expect(replayed[0].raw!.equals(original.raw!)).toBe(true);
    expect(replayed[0].headers).toMatchObject({
      [H.ReplayId]: outcome.replayId,
      [H.ReplayOfMessageId]: je1002.id,
      [H.ReplayActor]: 'admin',
      [H.ReplayReason]: 'X3 is back',
      [H.MessageId]: je1002.id,
    });
    // The replayed request comes back through Kafka: the record is requested again, and the timeline shows both.
    const after = await eventually(
      () => detail(failed.id),
      (d) => d.record.status === 'requested',
      'status back to requested',
    );
    const action = after.timeline.find((t) => t.type === 'action');
    expect(action).toMatchObject({
      actor: 'admin',
      reason: 'X3 is back',
      outcome: 'published',
      replayId: outcome.replayId,
    });
    expect(after.timeline.filter((t) => t.replayId === outcome.replayId && t.type === 'message')).toHaveLength(1);
    expect(replays()).toHaveLength(1);
    expect((await call(audit.baseUrl, '/metrics')).body).toMatch(
      /connector_replays_total\{mode="single",outcome="published",app="audit-service"\} 1/,
    );
  });

  it('bulk replay: the dry run counts without publishing; the real run re-publishes exactly the matching failures', async () => {
    const dry = await call(audit.baseUrl, '/api/replays', {
      token: admin,
      body: { filter: { tenant: 'acme' }, reason: 'check', dryRun: true },
    });
    expect(dry.status).toBe(200);
    // acme failures now: job 1003 (rejected) and vendor 77 (dead-lettered); 1002 was replayed and is requested.
    expect(dry.body).toMatchObject({ dryRun: true, matched: 2, results: [] });
    const before = replays().length;
    const run = await call(audit.baseUrl, '/api/replays', {
      token: admin,
      body: { filter: { tenant: 'acme', status: 'rejected' }, reason: 'accounts fixed' },
    });
    expect(run.body).toMatchObject({ dryRun: false, matched: 1 });
    const results = (run.body as { results: Array<{ outcome: string; topic: string }> }).results;
    expect(results).toEqual([expect.objectContaining({ outcome: 'published', topic: Topics.StJob })]);
    const all = await eventually(
      () => replays(),
      (r) => r.length >= before + 1,
      'the bulk replay',
    );
    const fresh = all.slice(before);
    expect(fresh).toHaveLength(1);
    // A rejected record had no request: its original source event is what goes back.
    expect(fresh[0].topic).toBe(Topics.StJob);
    expect(fresh[0].headers[H.ReplayOfMessageId]).toBe(job1003.id);
    expect(fresh[0].headers[H.ReplayReason]).toBe('accounts fixed');
    // globex's failure was not touched.
    expect(replays().some((m) => m.headers[H.Tenant] === 'globex')).toBe(false);
    // The dry run published nothing: only the two real replays exist.
    expect(replays()).toHaveLength(2);
  });

  it('tenant tokens see only their own tenant on every endpoint', async () => {
    const acme = TEST_TOKENS.acme;
    const globexRec = (await record('globex', 'job', '2001'))!;
    const acmeList = await records('limit=100', acme);
    expect(acmeList.items.length).toBeGreaterThan(0);
    expect(acmeList.items.every((r) => r.tenant === 'acme')).toBe(true);
    expect((await records('tenant=globex&limit=100', acme)).items.every((r) => r.tenant === 'acme')).toBe(true);
    expect((await call(audit.baseUrl, `/api/records/${globexRec.id}`, { token: acme })).status).toBe(404);
    const before = replays().length;
    expect(
      (await call(audit.baseUrl, `/api/records/${globexRec.id}/replay`, { token: acme, body: { reason: 'not mine' } }))
        .status,
    ).toBe(404);
    const failures = (await call(audit.baseUrl, '/api/failures/summary?tenant=globex', { token: acme })).body as Array<{
      reason: string;
    }>;
    expect(failures.some((f) => f.reason.includes('X3_500'))).toBe(false);
    const dry = await call(audit.baseUrl, '/api/replays', {
      token: acme,
      body: { filter: { tenant: 'globex' }, reason: 'try', dryRun: true },
    });
    // acme's own failures, not globex's: vendor 77, and job 1003 — its replayed source event (unchanged content) does
    // not change its status; the mapper's answer to it would.
    expect((dry.body as { matched: number }).matched).toBe(2);
    const recon = (await call(audit.baseUrl, '/api/reconciliation?tenant=globex&period=2026-11', { token: acme }))
      .body as { tenant: string; accounts: Array<{ costCenter: string | null }> };
    expect(recon.tenant).toBe('acme');
    expect(recon.accounts.some((a) => a.costCenter === 'G1')).toBe(false);
    // globex sees its own record, with the replay by acme never having happened.
    const own = await detail(globexRec.id, TEST_TOKENS.globex);
    expect(own.record.tenant).toBe('globex');
    expect(own.timeline.some((t) => t.type === 'action')).toBe(false);
    expect(replays()).toHaveLength(before);
    // Replay by a tenant token records that tenant as the actor.
    const mine = (await record('acme', 'vendor', '77'))!;
    await call(audit.baseUrl, `/api/records/${mine.id}/replay`, { token: acme, body: { reason: 'retry dead letter' } });
    const d = await detail(mine.id, acme);
    expect(d.timeline.find((t) => t.type === 'action')).toMatchObject({
      actor: 'tenant:acme',
      reason: 'retry dead letter',
    });
  });

  it('answers 401 without a valid token, while health, metrics and the API docs stay open', async () => {
    for (const [path, body] of [
      ['/api/records', undefined],
      ['/api/records/1', undefined],
      ['/api/failures/summary', undefined],
      ['/api/reconciliation', undefined],
      ['/api/me', undefined],
      ['/api/records/1/replay', { reason: 'xxx' }],
      ['/api/replays', { filter: {}, reason: 'xxx', dryRun: true }],
    ] as const) {
      expect((await call(audit.baseUrl, path, { body })).status).toBe(401);
      expect((await call(audit.baseUrl, path, { body, token: 'not-a-valid-token' })).status).toBe(401);
    }
    expect((await call(audit.baseUrl, '/health/live')).status).toBe(200);
    expect((await call(audit.baseUrl, '/health/ready')).status).toBe(200);
    expect((await call(audit.baseUrl, '/metrics')).status).toBe(200);
    const docs = await call(audit.baseUrl, '/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys((docs.body as { paths: Record<string, unknown> }).paths)).toEqual(
      expect.arrayContaining([
        '/api/records',
        '/api/records/{id}',
        '/api/records/{id}/replay',
        '/api/replays',
        '/api/reconciliation',
        '/api/failures/summary',
      ]),
    );
    expect((await call(audit.baseUrl, '/api/docs')).status).toBe(200);
  });

  it('drops payload bodies past retention but keeps the history; such a record can no longer be replayed', async () => {
    const rec = (await record('globex', 'job', '2001'))!;
    const purged = await audit.app.get(PayloadRetentionService).runOnce(new Date(Date.now() + 91 * 86_400_000));
    expect(purged).toBeGreaterThan(0);
    const d = await detail(rec.id);
    expect(d.timeline.filter((t) => t.type === 'message')).toHaveLength(3);
    expect(d.timeline.every((t) => t.type !== 'message' || (t.payloadPurged && t.payload === null))).toBe(true);
    expect(d.record.status).toBe('failed');
    const res = await call(audit.baseUrl, `/api/records/${rec.id}/replay`, {
      token: admin,
      body: { reason: 'too late' },
    });
    expect(res.body).toMatchObject({ outcome: 'not-replayable' });
  });
});
