/* Hostile input over the audit API (issue 10, item 9a — the audit half; the webhook-gateway half uses the same
 * harness, libs/testing hostile-input.harness.ts): paging, filters, ids, replay endpoints, tokens, path traversal,
 * huge values, wrong types and methods, unknown tenants. Every case: the expected status (a 4xx with its reason,
 * never a 5xx), and nothing produced, replayed or written to the operator-action log. */
import { Headers as H, Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { MetricNames } from '@connector/observability';
import {
  describeHostileInputs,
  eventually,
  HostileCase,
  HostileTarget,
  metricTotal,
  MessagingHarness,
  startMessagingHarness,
  uniquePrefix,
} from '@connector/testing';
import { Database } from '../database/database';
import { AuditFixtures } from '../testing/audit-fixtures';
import {
  call,
  RunningAuditApp,
  startAuditApp,
  TEST_DRIVERS,
  TEST_TOKENS,
  TestDatabase,
} from '../testing/audit-test.harness';
import { MAX_OFFSET } from './audit-api.dto';

jest.setTimeout(120000);

const ADMIN = { Authorization: `Bearer ${TEST_TOKENS.admin}` };
const ACME = { Authorization: `Bearer ${TEST_TOKENS.acme}` };
const MISSING = '987654321';

interface Ids {
  acmeFailed: string;
  globexFailed: string;
}

/** The cases (`ids` are filled in by the suite's set-up). */
function auditApiCases(ids: Ids): HostileCase[] {
  const get = (path: string, headers: Record<string, string> = ADMIN) => ({ path, headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = ADMIN) => ({
    method: 'POST',
    path,
    body,
    headers,
  });
  const records = (query: string) => get(`/api/records?${query}`);
  const bulk = (body: unknown, headers: Record<string, string> = ADMIN) => post('/api/replays', body, headers);
  const replay = (body: unknown, id = MISSING, headers: Record<string, string> = ADMIN) =>
    post(`/api/records/${id}/replay`, body, headers);
  const INT = /must be an integer number/;
  return [
    // --- paging ---
    { name: 'offset=1e30 (was a 500)', request: records('offset=1e30'), status: 400, reason: INT },
    { name: 'offset=-1', request: records('offset=-1'), status: 400, reason: /offset must be an integer|not be less/ },
    {
      name: 'offset beyond the deepest page',
      request: records(`offset=${MAX_OFFSET + 1}`),
      status: 400,
      reason: /offset must not be greater than 1000000/,
    },
    { name: 'offset=abc', request: records('offset=abc'), status: 400, reason: INT },
    { name: 'offset=1.5', request: records('offset=1.5'), status: 400, reason: INT },
    { name: 'offset=0x10 (was read as 16)', request: records('offset=0x10'), status: 400, reason: INT },
    { name: 'offset with spaces', request: records('offset=%20%205'), status: 400, reason: INT },
    {
      name: 'offset with brackets',
      request: records('offset[]=1&offset[]=2'),
      status: 400,
      reason: /property offset\[\] should not exist/,
    },
    { name: 'offset given twice (array)', request: records('offset=1&offset=2'), status: 400, reason: INT },
    { name: 'offset=Infinity', request: records('offset=Infinity'), status: 400, reason: INT },
    { name: 'limit=0', request: records('limit=0'), status: 400, reason: /limit must not be less than 1/ },
    { name: 'limit=501', request: records('limit=501'), status: 400, reason: /limit must not be greater than 500/ },
    { name: 'limit=1e2', request: records('limit=1e2'), status: 400, reason: INT },
    { name: 'limit empty', request: records('limit='), status: 400, reason: INT },
    { name: 'limit with 20 digits', request: records('limit=99999999999999999999'), status: 400, reason: INT },
    // --- filters ---
    {
      name: 'unknown status',
      request: records('status=bogus'),
      status: 400,
      reason: /each value in status must be one of/,
    },
    { name: 'a known and an unknown status', request: records('status=posted,bogus'), status: 400, reason: /status/ },
    { name: 'tenant in capitals', request: records('tenant=ACME'), status: 400, reason: /tenant must match/ },
    { name: 'tenant with a path', request: records('tenant=..%2F..%2Fetc'), status: 400, reason: /tenant must match/ },
    { name: 'tenant of 100 characters', request: records(`tenant=${'a'.repeat(100)}`), status: 400, reason: /tenant/ },
    {
      name: 'tenant with SQL',
      request: records("tenant=acme'%20OR%20'1'='1"),
      status: 400,
      reason: /tenant must match/,
    },
    {
      name: 'tenant twice (array)',
      request: records('tenant=acme&tenant=globex'),
      status: 400,
      reason: /tenant must be a string/,
    },
    {
      name: 'kind of 41 characters',
      request: records(`kind=${'k'.repeat(41)}`),
      status: 400,
      reason: /kind must be shorter/,
    },
    {
      name: 'kind with NUL (%00) (was a 500)',
      request: records('kind=job%00'),
      status: 400,
      reason: /kind must not contain NUL/,
    },
    {
      name: 'q with NUL (%00) (was a 500)',
      request: records('q=a%00b'),
      status: 400,
      reason: /q must not contain NUL/,
    },
    { name: 'q of 201 characters', request: records(`q=${'q'.repeat(201)}`), status: 400, reason: /q must be shorter/ },
    { name: 'q with SQL stays a search', request: records("q='%20OR%201=1%20--"), status: 200 },
    { name: 'q with LIKE wildcards stays a search', request: records('q=%25_%5C'), status: 200 },
    {
      name: 'from is not a date',
      request: records('from=yesterday'),
      status: 400,
      reason: /from must be a valid ISO 8601/,
    },
    {
      name: 'from in year 0 (was a 500)',
      request: records('from=0000-01-01'),
      status: 400,
      reason: /from must be a date or timestamp between years 1 and 9999/,
    },
    { name: 'to in year 99999', request: records('to=99999-01-01'), status: 400, reason: /to must/ },
    { name: 'from on day 45 of month 13', request: records('from=2026-13-45'), status: 400, reason: /from must/ },
    {
      name: 'an unknown query parameter',
      request: records('foo=1'),
      status: 400,
      reason: /property foo should not exist/,
    },
    { name: '__proto__ in the query is ignored', request: records('__proto__[tenant]=x'), status: [200, 400] },
    {
      name: 'failure summary with an unknown status',
      request: get('/api/failures/summary?status=nope'),
      status: 400,
      reason: /status/,
    },
    // --- ids ---
    { name: 'record id not a number', request: get('/api/records/abc'), status: 404, reason: 'record not found' },
    { name: 'record id negative', request: get('/api/records/-1'), status: 404, reason: 'record not found' },
    {
      name: 'record id of 20 digits',
      request: get('/api/records/99999999999999999999'),
      status: 404,
      reason: 'record not found',
    },
    { name: 'record id 1e3', request: get('/api/records/1e3'), status: 404, reason: 'record not found' },
    { name: 'record id with NUL', request: get('/api/records/1%00'), status: 404, reason: 'record not found' },
    { name: 'record id 0', request: get('/api/records/0'), status: 404, reason: 'record not found' },
    {
      name: 'another tenant’s record (as if missing)',
      request: () => get(`/api/records/${ids.globexFailed}`, ACME),
      status: 404,
      reason: 'record not found',
    },
    // --- single replay ---
    {
      name: 'replay of a non-numeric id',
      request: replay({ reason: 'try it' }, 'abc'),
      status: 404,
      reason: 'record not found',
    },
    {
      name: 'replay of another tenant’s record',
      request: () => replay({ reason: 'not mine' }, ids.globexFailed, ACME),
      status: 404,
      reason: 'record not found',
    },
    {
      name: 'replay without a body',
      request: { method: 'POST', path: `/api/records/${MISSING}/replay`, headers: ADMIN },
      status: 400,
      reason: /reason must be a string/,
    },
    {
      name: 'replay with an empty reason',
      request: () => replay({ reason: '' }, ids.acmeFailed),
      status: 400,
      reason: /reason must be longer/,
    },
    {
      name: 'replay with a 2-character reason',
      request: () => replay({ reason: 'ab' }, ids.acmeFailed),
      status: 400,
      reason: /reason must be longer/,
    },
    {
      name: 'replay with a 501-character reason',
      request: () => replay({ reason: 'r'.repeat(501) }, ids.acmeFailed),
      status: 400,
      reason: /reason must be shorter/,
    },
    {
      name: 'replay with a numeric reason',
      request: () => replay({ reason: 12345 }, ids.acmeFailed),
      status: 400,
      reason: /reason must be a string/,
    },
    {
      name: 'replay with NUL in the reason (was a 500)',
      request: () => replay({ reason: 'why\u0000not' }, ids.acmeFailed),
      status: 400,
      reason: /reason must not contain NUL/,
    },
    {
      name: 'replay with a lone surrogate in the reason',
      request: () => replay({ reason: 'why \ud800' }, ids.acmeFailed),
      status: 400,
      reason: /unpaired surrogates/,
    },
    {
      name: 'replay with an extra field',
      request: () => replay({ reason: 'fine reason', evil: 1 }, ids.acmeFailed),
      status: 400,
      reason: /property evil should not exist/,
    },
    {
      name: 'replay body is an array',
      request: () => replay([{ reason: 'fine reason' }], ids.acmeFailed),
      status: 400,
    },
    {
      name: 'replay body is malformed JSON',
      request: () => ({
        ...replay(undefined, ids.acmeFailed),
        body: '{"reason": "x',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
      }),
      status: 400,
    },
    {
      name: 'replay body with __proto__',
      request: () => ({
        ...replay(undefined, ids.acmeFailed),
        body: '{"reason":"fine reason","__proto__":{"reason":"x"}}',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
      }),
      status: 400,
      reason: /must not contain the key "__proto__"/,
    },
    {
      name: 'replay body with constructor',
      request: () => replay({ reason: 'fine reason', constructor: { prototype: {} } }, ids.acmeFailed),
      status: 400,
      reason: /"constructor"/,
    },
    {
      name: 'replay body nested 40000 levels (was a 500)',
      request: () => ({
        ...replay(undefined, ids.acmeFailed),
        body: `{"reason":"fine reason","x":${'['.repeat(40000)}${']'.repeat(40000)}}`,
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
      }),
      status: 400,
      reason: /nested deeper than 8 levels/,
    },
    {
      name: 'replay body as text/plain',
      request: () => ({
        ...replay(undefined, ids.acmeFailed),
        body: 'reason=please',
        headers: { ...ADMIN, 'Content-Type': 'text/plain' },
      }),
      status: 400,
      reason: /reason/,
    },
    {
      name: 'replay body of 2 MB',
      request: () => replay({ reason: 'x'.repeat(2_000_000) }, ids.acmeFailed),
      status: 413,
      reason: /too large/i,
    },
    // --- bulk replay ---
    {
      name: 'bulk replay with dryRun "yes" (was a real run)',
      request: bulk({ filter: { tenant: 'acme' }, reason: 'just counting', dryRun: 'yes' }),
      status: 400,
      reason: /dryRun must be a boolean/,
    },
    {
      name: 'bulk replay with dryRun 2 (was a real run)',
      request: bulk({ filter: {}, reason: 'just counting', dryRun: 2 }),
      status: 400,
      reason: /dryRun must be a boolean/,
    },
    {
      name: 'bulk replay with filter null',
      request: bulk({ filter: null, reason: 'just counting', dryRun: true }),
      status: 400,
      reason: /filter/,
    },
    {
      name: 'bulk replay with filter a string',
      request: bulk({ filter: 'acme', reason: 'just counting', dryRun: true }),
      status: 400,
      reason: /filter must be an object/,
    },
    {
      name: 'bulk replay without a filter (was a 500)',
      request: bulk({ reason: 'just counting', dryRun: true }),
      status: 400,
      reason: /filter should not be null or undefined/,
    },
    {
      name: 'bulk replay with an unknown filter field',
      request: bulk({ filter: { limit: 5 }, reason: 'just counting', dryRun: true }),
      status: 400,
      reason: /property limit should not exist/,
    },
    {
      name: 'bulk replay with an unknown status',
      request: bulk({ filter: { status: 'failed,nope' }, reason: 'just counting', dryRun: true }),
      status: 400,
      reason: /status/,
    },
    {
      name: 'bulk replay smuggling a filter through __proto__',
      request: {
        ...bulk(undefined),
        body: '{"filter":{"__proto__":{"tenant":"acme"}},"reason":"smuggled","dryRun":false}',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
      },
      status: 400,
      reason: /"__proto__"/,
    },
    {
      name: 'bulk replay without a reason',
      request: bulk({ filter: {}, dryRun: true }),
      status: 400,
      reason: /reason must be a string/,
    },
    {
      name: 'bulk replay of non-failures only replays nothing',
      request: bulk({ filter: { status: 'posted' }, reason: 'nothing to do', dryRun: false }),
      status: 200,
    },
    {
      name: 'bulk replay of an unknown tenant replays nothing',
      request: bulk({ filter: { tenant: 'nobody-here' }, reason: 'nothing to do', dryRun: false }),
      status: 200,
    },
    // --- tokens ---
    { name: 'no token', request: { path: '/api/records' }, status: 401, reason: /a valid API token is required/ },
    {
      name: 'empty bearer token',
      request: get('/api/records', { Authorization: 'Bearer ' }),
      status: 401,
      reason: /token/,
    },
    {
      name: 'Basic authentication',
      request: get('/api/records', { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }),
      status: 401,
      reason: /token/,
    },
    {
      name: 'a token of 10000 characters',
      request: get('/api/records', { Authorization: `Bearer ${'t'.repeat(10000)}` }),
      status: 401,
      reason: /token/,
    },
    {
      name: 'two tokens in one header',
      request: get('/api/records', { Authorization: `Bearer ${TEST_TOKENS.admin} Bearer ${TEST_TOKENS.acme}` }),
      status: 401,
      reason: /token/,
    },
    {
      name: 'the token hash instead of the token',
      request: get('/api/records', {
        Authorization: 'Bearer 0000000000000000000000000000000000000000000000000000000000000000',
      }),
      status: 401,
      reason: /token/,
    },
    {
      name: 'a replay without a token',
      request: { method: 'POST', path: `/api/records/${MISSING}/replay`, body: { reason: 'no token' } },
      status: 401,
      reason: /token/,
    },
    {
      name: 'a bulk replay with a wrong token',
      request: bulk(
        { filter: {}, reason: 'wrong token', dryRun: false },
        { Authorization: 'Bearer not-a-valid-token' },
      ),
      status: 401,
      reason: /token/,
    },
    {
      name: 'a header of 40 kB',
      request: get('/api/records', { ...ADMIN, 'X-Filler': 'f'.repeat(40_000) }),
      status: 431,
      bare: true,
    },
    // --- unknown tenants ---
    { name: 'admin lists an unknown tenant: nothing', request: records('tenant=nobody-here'), status: 200 },
    {
      name: 'a tenant token asking for another tenant sees only its own',
      request: get('/api/records?tenant=globex', ACME),
      status: 200,
    },
    {
      name: 'reconciliation of a malformed tenant',
      request: get('/api/reconciliation?tenant=NOPE&period=2026-11'),
      status: 400,
      reason: /tenant must be a tenant slug/,
    },
    {
      name: 'reconciliation of month 13',
      request: get('/api/reconciliation?tenant=acme&period=2026-13'),
      status: 400,
      reason: /period must be a month/,
    },
    {
      name: 'reconciliation without a period',
      request: get('/api/reconciliation?tenant=acme'),
      status: 400,
      reason: /period/,
    },
    // --- path traversal and console assets ---
    {
      name: 'console file "constructor" (was a 500)',
      request: get('/console/constructor', {}),
      status: 404,
      reason: 'no such console file',
    },
    {
      name: 'console file "__proto__" (was a 500)',
      request: get('/console/__proto__', {}),
      status: 404,
      reason: 'no such console file',
    },
    {
      name: 'console file "toString" (was a 500)',
      request: get('/console/toString', {}),
      status: 404,
      reason: 'no such console file',
    },
    {
      name: 'console file "hasOwnProperty" (was a 500)',
      request: get('/console/hasOwnProperty', {}),
      status: 404,
      reason: 'no such console file',
    },
    { name: 'console ../ traversal', request: get('/console/../../package.json', {}), status: 404 },
    {
      name: 'console %2e%2e%2f traversal',
      request: get('/console/%2e%2e%2f%2e%2e%2fpackage.json', {}),
      status: 404,
      reason: 'no such console file',
    },
    {
      name: 'console file with NUL',
      request: get('/console/index.html%00.js', {}),
      status: 404,
      reason: 'no such console file',
    },
    {
      name: 'console backslash traversal',
      request: get('/console/..%5C..%5Cpackage.json', {}),
      status: 404,
      reason: 'no such console file',
    },
    { name: 'API docs traversal', request: get('/api/docs/../../../etc/passwd', {}), status: 404 },
    // --- wrong methods ---
    {
      name: 'DELETE a record',
      request: { method: 'DELETE', path: `/api/records/${MISSING}`, headers: ADMIN },
      status: 404,
    },
    {
      name: 'PUT the bulk replay',
      request: { method: 'PUT', path: '/api/replays', headers: ADMIN, body: {} },
      status: 404,
    },
    { name: 'GET the bulk replay', request: get('/api/replays'), status: 404 },
    { name: 'POST the records list', request: post('/api/records', { tenant: 'acme' }), status: 404 },
  ];
}

describe.each(TEST_DRIVERS)('audit API hostile input ($name)', (driver) => {
  const prefix = uniquePrefix(`hostile-${driver.name}`);
  let database: TestDatabase;
  let audit: RunningAuditApp;
  let bus: MessagingHarness;
  const captured: BusContext[] = [];
  const ids: Ids = { acmeFailed: '', globexFailed: '' };

  beforeAll(async () => {
    database = await driver.open();
    bus = await startMessagingHarness(
      prefix,
      [
        {
          group: 'capture',
          topics: [Topics.StJob, Topics.JournalEntryRequested, Topics.PostingResult],
          mode: 'raw',
          handler: async (m) => void captured.push(m),
        },
      ],
      'bus',
    );
    audit = await startAuditApp(prefix, database.db);
    const fx = new AuditFixtures(bus.publisher);
    for (const [tenant, id] of [
      ['acme', 5001],
      ['globex', 6001],
    ] as const) {
      const job = await fx.job(tenant, id, ['10.00']);
      const je = await fx.journalEntry(job, id, [
        { side: 'debit', amount: '10.00', costCenter: 'C1', costKind: 'labor' },
        { side: 'credit', amount: '10.00', costKind: 'offset' },
      ]);
      await fx.result(je, 'job', id, 'failed');
    }
    const failed = await eventually(
      async () =>
        (
          (await call(audit.baseUrl, '/api/records?status=failed', { token: TEST_TOKENS.admin })).body as {
            items: Array<{ id: string; tenant: string }>;
          }
        ).items,
      (items) => items.length === 2,
      'the two failed records',
    );
    ids.acmeFailed = failed.find((r) => r.tenant === 'acme')!.id;
    ids.globexFailed = failed.find((r) => r.tenant === 'globex')!.id;
  });

  afterAll(async () => {
    await audit?.close();
    await bus?.close();
    await database?.dispose();
  });

  const target = (): HostileTarget => ({
    baseUrl: audit.baseUrl,
    sideEffects: async () => ({
      produced: await metricTotal(audit.app, MetricNames.MessagesProduced),
      replays: await metricTotal(audit.app, MetricNames.Replays),
      actions: (await audit.app.get(Database).query<{ n: number }>('SELECT count(*)::int AS n FROM audit_actions'))
        .rows[0].n,
    }),
  });

  describeHostileInputs(
    'every hostile request: its 4xx with a reason (never a 5xx), nothing produced or replayed',
    target,
    auditApiCases(ids),
  );

  it('covers at least 50 cases', () => {
    expect(auditApiCases(ids).length).toBeGreaterThanOrEqual(50);
  });

  it('nothing was replayed: no message with replay headers reached the broker', async () => {
    // the set-up's six messages arrived; nothing else did
    await eventually(
      () => captured.length,
      (n) => n >= 6,
      'the set-up messages',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(captured.filter((m) => m.headers[H.ReplayId])).toEqual([]);
    expect(captured).toHaveLength(6);
  });
});
