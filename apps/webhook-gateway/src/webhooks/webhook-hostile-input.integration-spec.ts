/* Hostile input over the webhook-gateway (issue 10, item 9a — the gateway half; the audit API half uses the same
 * harness, libs/testing hostile-input.harness.ts): signatures, tenants, sizes, media types, encodings, JSON grammar,
 * nesting and key counts, prototype keys, ids, event types, methods and headers. Every case: its status (a 4xx with
 * its reason, never a 5xx), nothing produced to Kafka and no ServiceTitan call — counted per case, and proven once
 * more at the end by a probe that does reach Kafka. */
import { validateEnv } from '@connector/config';
import { Topics, WebhookTriggerCommandV1 } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { MetricNames } from '@connector/observability';
import { ServiceTitanSimulator, signWebhookBody, startServiceTitanSimulator } from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  describeHostileInputs,
  eventually,
  HostileCase,
  HostileRequest,
  HostileTarget,
  metricTotal,
  MessagingHarness,
  sendRaw,
  startAppUnderTest,
  startMessagingHarness,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { GATEWAY_HTTP } from '../app/gateway-http';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

jest.setTimeout(180000);

const ST_TENANT = TEST_CREDENTIALS.stTenantId;
const SECRET = TEST_CREDENTIALS.webhookSecret;
const MAX_BODY = 16 * 1024;
const MAX_KEYS = 1000;
const HOOK = '/webhooks/servicetitan/acme';
const JSON_TYPE = 'application/json';

type Body = string | Buffer;
interface Send {
  path?: string;
  contentType?: string | null;
  /** The signature header's value; default: the body's HMAC with the tenant's secret (hex). */
  signature?: string | null;
  headers?: Record<string, string>;
  method?: string;
}

/** A webhook request exactly as ServiceTitan would send it (signed over the exact bytes), unless told otherwise. */
function hook(body: Body, o: Send = {}): HostileRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.contentType !== null) headers['Content-Type'] = o.contentType ?? JSON_TYPE;
  const signature = o.signature === undefined ? signWebhookBody(bytes, SECRET, 'hex') : o.signature;
  if (signature !== null) headers['X-ServiceTitan-Signature'] = signature;
  return { method: o.method ?? 'POST', path: o.path ?? HOOK, headers, body: bytes };
}

/** A V2-style body with fields overridden (undefined removes one), as JSON text. */
function v2(over: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    eventId: 'evt-hostile',
    eventType: 'JobCompleted',
    tenantId: ST_TENANT,
    createdOn: '2026-11-20T15:00:00Z',
    data: { id: 4242 },
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return JSON.stringify(base);
}
/** A V2 body with raw JSON text spliced in for one field (escapes and literals JSON.stringify would not write). */
const v2Raw = (field: string, rawValue: string) => v2({ [field]: '@@' }).replace('"@@"', rawValue);
const v1 = (eventInfo: string, extra = '') =>
  `{"id":4242,"jobStatus":"Completed","__eventInfo":${eventInfo},"__tenantInfo":{"id":${ST_TENANT}}${extra}}`;
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const SIG = /signature/;
const MEDIA = /Content-Type|charset/;
const UTF8 = /not valid UTF-8/;
const JSON_ERR = /malformed JSON/;
const EVENT_ID = /event id must be 1–200 visible ASCII characters or a positive integer/;
const ENTITY_ID = /entity id must be a positive integer id/;
const BEYOND = /is beyond 2\^53 − 1/;
const EVENT_TYPE = /event type must be a name/;
const NO_EVENT_ID = /no event id at the configured paths/;

function gatewayCases(): HostileCase[] {
  const good = v2();
  const c = (name: string, request: HostileRequest, status: number, reason?: RegExp): HostileCase => ({
    name,
    request,
    status,
    reason,
  });
  return [
    // --- the signature comes first: whatever the body, an unsigned or mis-signed request is a 401 ---
    c('unsigned, a valid body', hook(good, { signature: null }), 401, /missing-signature/),
    c('unsigned, text/plain', hook(good, { signature: null, contentType: 'text/plain' }), 401, SIG),
    c('unsigned, no Content-Type', hook(good, { signature: null, contentType: null }), 401, SIG),
    c('unsigned, an empty Content-Type', hook(good, { signature: null, contentType: '' }), 401, SIG),
    c('unsigned, a malformed Content-Type', hook(good, { signature: null, contentType: 'json' }), 401, SIG),
    c('unsigned, invalid UTF-8', hook(bytes('{"a":"', [0xff], '"}'), { signature: null }), 401, SIG),
    c('unsigned, nested 10,000 deep', hook(nested(5000), { signature: null }), 401, SIG),
    c('unsigned, malformed JSON', hook('{"eventId":', { signature: null }), 401, SIG),
    c('unsigned, empty body', hook('', { signature: null }), 401, SIG),
    c('empty signature header', hook(good, { signature: '' }), 401, SIG),
    c(
      'signature of another body (tampered)',
      hook(good, { signature: signWebhookBody('{}', SECRET, 'hex') }),
      401,
      /signature-mismatch/,
    ),
    c(
      'signed with another secret',
      hook(good, { signature: signWebhookBody(good, 'test-other-secret-not-a-real-secret-00', 'hex') }),
      401,
      /signature-mismatch/,
    ),
    c('signature not hex', hook(good, { signature: 'z'.repeat(64) }), 401, /malformed-signature/),
    c('signature too short', hook(good, { signature: 'ab'.repeat(16) }), 401, /malformed-signature/),
    c(
      'signature in base64 for a hex tenant',
      hook(good, { signature: signWebhookBody(good, SECRET, 'base64') }),
      401,
      /malformed-signature/,
    ),
    c(
      'signature of the body without a byte appended later',
      { ...hook(good), body: Buffer.from(`${good} `) },
      401,
      /signature-mismatch/,
    ),
    c(
      'signature over the UTF-8 text of a body sent as Latin-1',
      hook(Buffer.from(v2({ note: 'café' }), 'latin1'), {
        signature: signWebhookBody(v2({ note: 'café' }), SECRET, 'hex'),
      }),
      401,
      /signature-mismatch/,
    ),
    c('bad signature, 415 content', hook(good, { signature: 'f'.repeat(64), contentType: 'text/plain' }), 401, SIG),
    c('signature of 10 KB of hex', hook(good, { signature: 'a'.repeat(10_000) }), 401, /malformed-signature/),
    // --- tenants and routes ---
    c('unknown tenant', hook(good, { path: '/webhooks/servicetitan/nobody' }), 404, /unknown tenant/),
    c('tenant in capitals', hook(good, { path: '/webhooks/servicetitan/ACME' }), 404, /unknown tenant/),
    c('tenant with an encoded path', hook(good, { path: '/webhooks/servicetitan/..%2Facme' }), 404, /unknown tenant/),
    c('tenant with %00', hook(good, { path: '/webhooks/servicetitan/acme%00' }), 404, /unknown tenant/),
    c(
      'tenant of 2,000 characters (longer than the router takes)',
      hook(good, { path: `/webhooks/servicetitan/${'a'.repeat(2000)}` }),
      414,
      /is exceeding the max param length/,
    ),
    c('tenant with SQL', hook(good, { path: "/webhooks/servicetitan/acme'%20OR%201=1" }), 404, /unknown tenant/),
    c('no tenant segment', hook(good, { path: '/webhooks/servicetitan/' }), 404),
    c('a path below the tenant', hook(good, { path: `${HOOK}/extra` }), 404),
    c('path traversal to the tenant', hook(good, { path: '/webhooks/servicetitan/x/../acme' }), 404),
    c('GET the webhook', { path: HOOK }, 404),
    c('PUT the webhook', hook(good, { method: 'PUT' }), 404),
    c('DELETE the webhook', { method: 'DELETE', path: HOOK }, 404),
    // --- size ---
    c('signed body over maxBodyBytes', hook(v2({ padding: 'x'.repeat(MAX_BODY) })), 413, /body-too-large|exceeds/),
    c('a 1 MB body', hook(Buffer.alloc(1024 * 1024, 0x20)), 413, /body-too-large|exceeds/),
    // --- media type (after a valid signature) ---
    c('no Content-Type', hook(good, { contentType: null }), 415, /none given/),
    c('text/plain', hook(good, { contentType: 'text/plain' }), 415, MEDIA),
    c('form encoded', hook(good, { contentType: 'application/x-www-form-urlencoded' }), 415, MEDIA),
    c('multipart', hook(good, { contentType: 'multipart/form-data; boundary=x' }), 415, MEDIA),
    c('text/json', hook(good, { contentType: 'text/json' }), 415, MEDIA),
    c('application/jsonp', hook(good, { contentType: 'application/jsonp' }), 415, MEDIA),
    c('JSON in UTF-16', hook(good, { contentType: 'application/json; charset=utf-16' }), 415, MEDIA),
    c('JSON in Latin-1', hook(good, { contentType: 'application/json; charset="iso-8859-1"' }), 415, MEDIA),
    c('an empty Content-Type', hook(good, { contentType: '' }), 415, MEDIA),
    c('a malformed Content-Type', hook(good, { contentType: 'application/ json' }), 415, MEDIA),
    c('a media type without a subtype', hook(good, { contentType: 'application' }), 415, MEDIA),
    c('two media types in one Content-Type', hook(good, { contentType: 'application/json, text/plain' }), 415, MEDIA),
    c('a Content-Type of 4 KB', hook(good, { contentType: `application/${'x'.repeat(4096)}` }), 415, MEDIA),
    // --- encoding: what is kept is exactly what was signed ---
    c('a 0xFF byte in a string', hook(bytes('{"eventId":"e', [0xff], '","eventType":"JobCompleted"}')), 400, UTF8),
    c('an overlong encoding of "/"', hook(bytes('{"note":"', [0xc0, 0xaf], '"}')), 400, UTF8),
    c('an encoded surrogate (CESU-8)', hook(bytes('{"note":"', [0xed, 0xa0, 0x80], '"}')), 400, UTF8),
    c('a code point beyond U+10FFFF', hook(bytes('{"note":"', [0xf4, 0x90, 0x80, 0x80], '"}')), 400, UTF8),
    c('a truncated sequence at the end', hook(bytes(good, [0xe2, 0x82])), 400, UTF8),
    c('a lone continuation byte', hook(bytes('{"note":"', [0x80], '"}')), 400, UTF8),
    c('Latin-1 text (é as 0xE9)', hook(Buffer.from(v2({ note: 'café' }), 'latin1')), 400, UTF8),
    c('UTF-16LE bytes', hook(Buffer.from(good, 'utf16le')), 400, /UTF-8|malformed JSON/),
    c('a byte order mark before the JSON', hook(bytes([0xef, 0xbb, 0xbf], good)), 400, JSON_ERR),
    // --- JSON grammar ---
    c('an empty body', hook(''), 400, JSON_ERR),
    c('truncated JSON', hook(good.slice(0, -5)), 400, JSON_ERR),
    c('single quotes', hook("{'eventId':'e','eventType':'JobCompleted'}"), 400, JSON_ERR),
    c('a trailing comma', hook('{"eventId":"e","eventType":"JobCompleted",}'), 400, JSON_ERR),
    c('NaN', hook('{"eventId":NaN,"eventType":"JobCompleted"}'), 400, JSON_ERR),
    c('a comment', hook(`/* hi */${good}`), 400, JSON_ERR),
    c('two documents', hook(`${good}${good}`), 400, JSON_ERR),
    c('a raw control character in a string', hook('{"eventId":"a\u0001b","eventType":"JobCompleted"}'), 400, JSON_ERR),
    c('null', hook('null'), 400, /body must be a JSON object/),
    c('an array', hook(`[${good}]`), 400, /body must be a JSON object/),
    c('a string', hook('"JobCompleted"'), 400, /body must be a JSON object/),
    c('a number', hook('4242'), 400, /body must be a JSON object/),
    // --- structure bounds ---
    c('nested 33 deep', hook(v2({ x: JSON.parse(nested(32)) })), 400, /nested deeper than 32 levels/),
    c('nested 5,000 deep', hook(`{"x":${nested(5000)}}`), 400, /nested deeper than 32 levels/),
    c('objects nested 40 deep', hook(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`), 400, /nested deeper than 32 levels/),
    c(
      `more than ${MAX_KEYS} keys`,
      hook(JSON.stringify(Object.fromEntries(Array.from({ length: MAX_KEYS + 1 }, (_, i) => [`k${i}`, 0])))),
      400,
      new RegExp(`more than ${MAX_KEYS} object keys`),
    ),
    // --- prototype keys are just keys ---
    c(
      'the event id only under __proto__',
      hook('{"__proto__":{"eventId":"e","eventType":"JobCompleted"}}'),
      400,
      NO_EVENT_ID,
    ),
    c(
      '__eventInfo under __proto__',
      hook(`{"__proto__":{"__eventInfo":{"eventId":"e","webhookType":"JobCompleted"}}}`),
      400,
      NO_EVENT_ID,
    ),
    c(
      'constructor.prototype carrying the event',
      hook('{"constructor":{"prototype":{"eventId":"e"}},"eventType":"JobCompleted"}'),
      400,
      NO_EVENT_ID,
    ),
    c(
      'the event id is an object with a constructor',
      hook(v2({ eventId: { constructor: { name: 'x' } } })),
      400,
      EVENT_ID,
    ),
    c(
      '__eventInfo.__proto__ with the event id',
      hook(v1('{"__proto__":{"eventId":"e"},"webhookType":"JobCompleted"}')),
      400,
      NO_EVENT_ID,
    ),
    // --- event ids ---
    c('no event id', hook(v2({ eventId: undefined })), 400, NO_EVENT_ID),
    c('an empty event id', hook(v2({ eventId: '' })), 400, NO_EVENT_ID),
    c('event id with NUL (\\u0000)', hook(v2Raw('eventId', '"evt\\u0000x"')), 400, EVENT_ID),
    c('event id with a lone surrogate (\\ud800)', hook(v2Raw('eventId', '"evt\\ud800"')), 400, EVENT_ID),
    c('event id with a space', hook(v2({ eventId: 'evt 1' })), 400, EVENT_ID),
    c('event id with a newline', hook(v2({ eventId: 'evt\n1' })), 400, EVENT_ID),
    c('event id of 201 characters', hook(v2({ eventId: 'e'.repeat(201) })), 400, EVENT_ID),
    c('event id not ASCII', hook(v2({ eventId: 'évènement' })), 400, EVENT_ID),
    c('event id 0', hook(v2({ eventId: 0 })), 400, EVENT_ID),
    c('event id negative', hook(v2({ eventId: -12 })), 400, EVENT_ID),
    c('event id 1.5', hook(v2({ eventId: 1.5 })), 400, EVENT_ID),
    c('event id beyond 2^53', hook(v2Raw('eventId', '9007199254740993')), 400, EVENT_ID),
    c('event id true', hook(v2({ eventId: true })), 400, EVENT_ID),
    c('event id an array', hook(v2({ eventId: ['e'] })), 400, EVENT_ID),
    // --- entity ids: positive safe integers, never rounded ---
    c(
      'entity id "9007199254740993" (was rounded to …992)',
      hook(v2({ data: { id: '9007199254740993' } })),
      400,
      BEYOND,
    ),
    c('entity id 9007199254740993 as a number', hook(v2Raw('data', '{"id":9007199254740993}')), 400, BEYOND),
    c('entity id 0', hook(v2({ data: { id: 0 } })), 400, ENTITY_ID),
    c('entity id negative', hook(v2({ data: { id: -5 } })), 400, ENTITY_ID),
    c('entity id 1.5', hook(v2({ data: { id: 1.5 } })), 400, ENTITY_ID),
    c('entity id "1e3"', hook(v2({ data: { id: '1e3' } })), 400, ENTITY_ID),
    c('entity id 1e3 as a number literal', hook(v2Raw('data', '{"id":1e21}')), 400, /entity id/),
    c('entity id " 12 "', hook(v2({ data: { id: ' 12 ' } })), 400, ENTITY_ID),
    c('entity id "0x10"', hook(v2({ data: { id: '0x10' } })), 400, ENTITY_ID),
    c('entity id "007"', hook(v2({ data: { id: '007' } })), 400, ENTITY_ID),
    c('entity id an object', hook(v2({ data: { id: { n: 1 } } })), 400, ENTITY_ID),
    c('entity id true', hook(v2({ data: { id: true } })), 400, ENTITY_ID),
    c(
      'V1 entity id as text with a sign',
      hook(`{"id":"+4242","__eventInfo":{"eventId":"e","webhookType":"JobCompleted"}}`),
      400,
      ENTITY_ID,
    ),
    // --- tenant in the body ---
    c("another ServiceTitan tenant's event", hook(v2({ tenantId: 999 })), 400, /is not this tenant's/),
    c(
      'V1 event of another tenant',
      hook(v1('{"eventId":"e","webhookType":"JobCompleted"}').replace(`"id":${ST_TENANT}`, '"id":1')),
      400,
      /is not this tenant's/,
    ),
    c(
      'tenant id not a number',
      hook(v2({ tenantId: 'acme' })),
      400,
      /ServiceTitan tenant id must be a positive integer id/,
    ),
    c(
      'tenant id with a fraction',
      hook(v2({ tenantId: ST_TENANT + 0.5 })),
      400,
      /ServiceTitan tenant id must be a positive integer id/,
    ),
    // --- event types ---
    c('no event type', hook(v2({ eventType: undefined })), 400, /no event type/),
    c('event type a number', hook(v2({ eventType: 7 })), 400, EVENT_TYPE),
    c('event type with spaces', hook(v2({ eventType: 'Job Completed' })), 400, EVENT_TYPE),
    c('event type with markup', hook(v2({ eventType: '<script>alert(1)</script>' })), 400, EVENT_TYPE),
    c('event type with NUL', hook(v2Raw('eventType', '"Job\\u0000Completed"')), 400, EVENT_TYPE),
    c('event type of 101 characters', hook(v2({ eventType: `J${'x'.repeat(100)}` })), 400, EVENT_TYPE),
    c('V1 webhookType an object', hook(v1('{"eventId":"e","webhookType":{"name":"JobCompleted"}}')), 400, EVENT_TYPE),
    // --- headers ---
    {
      name: 'a 20 KB header',
      request: hook(good, { headers: { 'X-Padding': 'x'.repeat(20_000) } }),
      status: 431,
      bare: true,
    },
  ];
}

describe('webhook-gateway hostile input (real Kafka, ServiceTitan simulator)', () => {
  const prefix = uniquePrefix('gw-hostile');
  const commands: Array<BusContext<WebhookTriggerCommandV1>> = [];
  let sim: ServiceTitanSimulator;
  let reader: MessagingHarness;
  let gateway: AppUnderTest;

  beforeAll(async () => {
    sim = await startServiceTitanSimulator({
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          {
            id: ST_TENANT,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
          },
        ],
      },
    });
    // Triggered reads on, scheduled reads off (ST_PULL_ENABLED): only a trigger makes the gateway call ServiceTitan.
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'acme',
        stUrl: sim.url,
        maxBodyBytes: MAX_BODY,
        servicetitan: { syncFrom: '2026-11-01', pull: { enabled: true, intervalSeconds: 3600, pageSize: 50 } },
      }),
    ]);
    const env = validateEnv(WebhookGatewayEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      ST_PULL_ENABLED: 'false',
      ST_OWNER_HANDOVER_GRACE_MS: '0',
      // A trigger that slipped through would read ServiceTitan within 100 ms: the call counts would show it.
      ST_TRIGGER_MAX_DELAY_MS: '100',
      WEBHOOK_MAX_KEYS: String(MAX_KEYS),
    });
    reader = await startMessagingHarness(
      prefix,
      [
        {
          group: 'reader',
          topics: [Topics.StCommand],
          handler: async (m) => void commands.push(m as BusContext<WebhookTriggerCommandV1>),
        },
      ],
      'reader',
    );
    gateway = await startAppUnderTest(AppModule.forRoot(env), 'webhook-gateway', GATEWAY_HTTP);
    await eventually(
      async () => (await fetch(`${gateway.url}/health/ready`)).status,
      (s) => s === 200,
      'gateway ready',
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
    await sim?.close();
  });

  const apiCalls = () => Object.values(sim.calls()).reduce((n, v) => n + v, 0);
  const target = (): HostileTarget => ({
    baseUrl: gateway.url,
    sideEffects: async () => ({
      produced: await metricTotal(gateway.app, MetricNames.MessagesProduced),
      accepted: await metricTotal(gateway.app, MetricNames.WebhooksReceived),
      commands: commands.length,
      serviceTitanCalls: apiCalls(),
    }),
  });

  describeHostileInputs(
    'every hostile request: its 4xx with a reason (never a 5xx), nothing produced, ServiceTitan never called',
    target,
    gatewayCases(),
  );

  it('covers at least 100 cases (with the audit API half, well over 100)', () => {
    expect(gatewayCases().length).toBeGreaterThanOrEqual(100);
  });

  it('afterwards: no trigger reached Kafka and ServiceTitan was never called; a valid webhook then does both', async () => {
    // Anything that slipped through would have been read by now (triggers are read within 100 ms).
    await new Promise((r) => setTimeout(r, 1500));
    expect(commands).toEqual([]);
    expect(sim.calls()).toEqual({});
    const probe = v2({ eventId: 'evt-probe', data: { id: 4242 } });
    const res = await sendRaw(gateway.url, hook(probe));
    expect(res.status).toBe(200);
    const [cmd] = await eventually(
      () => commands,
      (l) => l.length >= 1,
      'the probe trigger',
    );
    expect(cmd.envelope.payload).toMatchObject({ eventId: 'evt-probe', entityId: '4242' });
    await eventually(apiCalls, (n) => n > 0, 'the owner reading ServiceTitan for the probe');
    expect(commands).toHaveLength(1);
  });

  it('prototype keys are harmless: a valid event carrying them is accepted as is and pollutes nothing', async () => {
    const body =
      '{"__proto__":{"polluted":true,"eventId":"evil"},"constructor":{"prototype":{"polluted":true}},' +
      `"prototype":{"x":1},"eventId":"evt-proto","eventType":"JobCompleted","tenantId":${ST_TENANT},` +
      '"data":{"id":77,"__proto__":{"id":1}}}';
    const res = await sendRaw(gateway.url, hook(body));
    expect(res.status).toBe(200);
    const cmd = await eventually(
      () => commands.find((m) => m.envelope.payload.eventId === 'evt-proto'),
      (m) => m !== undefined,
      'the trigger',
    );
    expect(cmd!.envelope.payload).toMatchObject({ eventType: 'JobCompleted', entityId: '77', generation: 'v2' });
    // The gateway runs in this process: its parsing would have polluted this Object.prototype.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('eventId');
  });

  it('each refusal is counted by reason', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const reason of [
      'missing-signature',
      'signature-mismatch',
      'unknown-tenant',
      'body-too-large',
      'unsupported-media-type',
      'invalid-utf8',
      'malformed-json',
      'too-deep',
      'too-many-keys',
      'invalid-id',
      'unknown-shape',
      'tenant-mismatch',
    ])
      expect(metrics).toMatch(new RegExp(`connector_webhooks_rejected_total\\{[^}]*reason="${reason}"[^}]*\\} [1-9]`));
  });
});
