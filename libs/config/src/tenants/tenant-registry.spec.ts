import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTenantCli } from '../cli/tenant.cli';
import { SecretBox } from '../secrets/secret-box';
import { SECRET_PATHS } from './tenant-config';
import { TenantConfigError, TenantRegistry } from './tenant-registry';
import { TenantSecretsEditor } from './tenant-secrets.editor';

const KEY = SecretBox.generateKey();
const box = new SecretBox(KEY);

type Json = Record<string, unknown>;

/** A minimal valid tenant in plaintext (the editor encrypts its secrets). */
function plain(
  id = 'acme',
  x3Auth: Json = { mode: 'basic', user: 'svc', password: 'test-password-not-a-real-secret' },
) {
  return {
    id,
    servicetitan: {
      tenantId: 1000001,
      appKey: 'test-app-key-not-a-real-secret',
      clientId: 'cid.test',
      clientSecret: 'test-client-secret-not-a-real-secret',
      webhook: { secrets: ['test-webhook-secret-not-a-real-secret'] },
      syncFrom: '2026-11-01',
    },
    sageX3: { baseUrl: 'http://127.0.0.1:2', folder: 'SEED', site: 'FR011', auth: x3Auth },
  } as Json;
}

/** The tenants file for these plaintext tenants, secrets encrypted for each tenant's place. */
function file(...tenants: Json[]): { tenants: Json[] } {
  const editor = TenantSecretsEditor.empty();
  for (const t of tenants) editor.addTenant(t, box);
  return editor.toJSON() as { tenants: Json[] };
}

function problems(json: unknown, key = KEY): string[] {
  try {
    TenantRegistry.fromJson(json, key);
  } catch (e) {
    if (e instanceof TenantConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** Sets a value at a dotted path of a tenant in a file (after encryption, to break what the CLI would not). */
function set(t: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = t;
  for (const p of parts.slice(0, -1)) cur = cur[p] as Json;
  if (value === undefined) delete cur[parts[parts.length - 1]];
  else cur[parts[parts.length - 1]] = value;
}

describe('tenants file validation', () => {
  it('applies the documented defaults', () => {
    const t = TenantRegistry.fromJson(file(plain()), KEY, { baseDir: '/etc/connector' }).require('acme');
    expect(t.name).toBe('acme');
    expect(t.servicetitan.environment).toBe('integration');
    expect(t.servicetitan.authUrl).toBe('https://auth-integration.servicetitan.io/connect/token');
    expect(t.servicetitan.apiBaseUrl).toBe('https://api-integration.servicetitan.io');
    expect(t.servicetitan.webhook).toMatchObject({
      signatureHeader: 'x-servicetitan-signature',
      encoding: 'hex',
      maxBodyBytes: 1024 * 1024,
    });
    expect(t.servicetitan.pull).toEqual({ enabled: true, intervalSeconds: 300, pageSize: 500 });
    expect(t.servicetitan.syncFrom).toBe('2026-11-01');
    expect(t.servicetitan.webhook.fields).toEqual({
      eventId: ['__eventInfo.eventId', 'eventId'],
      eventType: ['__eventInfo.webhookType', 'eventType'],
      entityId: ['id', 'data.id'],
      tenantId: ['__tenantInfo.id', 'tenantId'],
    });
    expect(t.servicetitan.writeBack).toEqual({
      enabled: false,
      externalMessage: 'Posted to Sage X3 as {documentNumber} ({externalRef})',
    });
    expect(t.servicetitan.labor).toEqual({ grossPayItemTypes: ['TimesheetTime'], activeOnly: true, settleMinutes: 0 });
    expect(t.servicetitan.lateCosts).toBe('reverse-and-repost');
    expect(t.sageX3.currency).toBe('USD');
    expect(t.sageX3.journal).toEqual({ entryType: 'ODSTX', journal: 'ODS' });
    expect(t.sageX3.poll).toEqual({ enabled: true, intervalSeconds: 300, pageSize: 100 });
    expect(t.sageX3.classes['supplier']).toEqual({ class: 'BPSUPPLIER', representation: 'BPSUPPLIER' });
    expect(t.sageX3.caFile).toBeUndefined();
    expect(t.mappingRulesFile).toBeUndefined();
    const oauth = TenantRegistry.fromJson(
      file(
        plain('acme', {
          mode: 'oauth2',
          tokenUrl: 'http://127.0.0.1:2/token',
          clientId: 'x3-client',
          clientSecret: 'test-x3-secret-not-a-real-secret',
          refreshToken: 'test-refresh-not-a-real-secret',
        }),
      ),
      KEY,
    ).require('acme').sageX3.auth;
    expect(oauth.mode === 'oauth2' && oauth.grant).toBe('refresh_token');
  });

  it('takes given values over the defaults and resolves derived ones', () => {
    const t = plain();
    set(t, 'name', 'Acme Mechanical');
    set(t, 'servicetitan.environment', 'production');
    set(t, 'servicetitan.webhook.signatureHeader', 'X-Custom-Signature');
    set(t, 'servicetitan.pull', { enabled: false });
    set(t, 'sageX3.baseUrl', 'https://x3.example.test/api//');
    set(t, 'sageX3.caFile', 'ca.pem');
    set(t, 'sageX3.classes', {
      supplier: { class: 'ZBPS' },
      journalEntry: { class: 'GACCENTRY', representation: 'ZGAC' },
    });
    set(t, 'sageX3.poll', { pageSize: 250, intervalSeconds: null });
    set(t, 'mappingRulesFile', 'rules/acme.json');
    const c = TenantRegistry.fromJson(file(t), KEY, { baseDir: '/etc/connector' }).require('acme');
    expect(c.name).toBe('Acme Mechanical');
    expect(c.servicetitan.authUrl).toBe('https://auth.servicetitan.io/connect/token');
    expect(c.servicetitan.apiBaseUrl).toBe('https://api.servicetitan.io');
    expect(c.servicetitan.webhook.signatureHeader).toBe('x-custom-signature');
    expect(c.servicetitan.pull).toEqual({ enabled: false, intervalSeconds: 300, pageSize: 500 });
    expect(c.sageX3.baseUrl).toBe('https://x3.example.test/api');
    expect(c.sageX3.caFile).toBe('/etc/connector/ca.pem');
    expect(c.sageX3.classes['supplier']).toEqual({ class: 'ZBPS', representation: 'ZBPS' });
    expect(c.sageX3.classes['journalEntry']).toEqual({ class: 'GACCENTRY', representation: 'ZGAC' });
    expect(c.sageX3.classes['product'].class).toBe('ITMMASTER');
    expect(c.sageX3.poll).toEqual({ enabled: true, intervalSeconds: 300, pageSize: 250 });
    expect(c.mappingRulesFile).toBe('/etc/connector/rules/acme.json');
  });

  it('time zone: UTC by default (files written before it existed), an IANA name when given', () => {
    expect(TenantRegistry.fromJson(file(plain()), KEY).require('acme').timeZone).toBe('UTC');
    const t = plain();
    set(t, 'timeZone', 'America/Chicago');
    expect(TenantRegistry.fromJson(file(t), KEY).require('acme').timeZone).toBe('America/Chicago');
    for (const bad of ['CST', 'Chicago', 'America/Springfield', 42]) {
      const b = plain();
      set(b, 'timeZone', bad);
      expect(problems(file(b))).toEqual([
        `tenant acme: timeZone must be an IANA time zone such as America/Chicago or UTC, got ${JSON.stringify(bad)}`,
      ]);
    }
  });

  it('X3 fields per class: overrides kept as given (the client fills the defaults), codes checked', () => {
    const t = plain();
    set(t, 'sageX3.classes', {
      purchaseInvoice: {
        representation: 'ZPINV',
        fields: { supplierInvoiceNumber: 'ZSUPINV', description: null },
        lines: { fields: { netPrice: 'ZNETPRI' } },
        lookupFields: ['BPR', 'ZSUPINV'],
        statusField: 'ZSTA',
      },
      journalEntry: { referenceField: 'ZREF', lookupFields: ['ZREF'] },
    });
    const c = TenantRegistry.fromJson(file(t), KEY).require('acme').sageX3.classes;
    expect(c['purchaseInvoice']).toEqual({
      class: 'PINVOICE',
      representation: 'ZPINV',
      fields: { supplierInvoiceNumber: 'ZSUPINV', description: null },
      lines: { fields: { netPrice: 'ZNETPRI' } },
      lookupFields: ['BPR', 'ZSUPINV'],
      statusField: 'ZSTA',
    });
    expect(c['journalEntry']).toMatchObject({
      class: 'GACCENTRY',
      representation: 'GACCENTRY',
      referenceField: 'ZREF',
      lookupFields: ['ZREF'],
    });
    const bad = plain();
    set(bad, 'sageX3.classes', {
      purchaseInvoice: {
        fields: { supplierInvoiceNumber: 'BPR VCR', Description: 'DES' },
        lookupFields: [],
        statusField: '1STA',
        lines: { field: 'PINVOICED', colour: 'x' },
      },
    });
    expect(problems(file(bad))).toEqual([
      'tenant acme: sageX3.classes.purchaseInvoice.fields: supplierInvoiceNumber: "BPR VCR", Description: "DES" (each entry maps a logical name to an X3 field code or null)',
      'tenant acme: sageX3.classes.purchaseInvoice.lines: unknown field "colour" (typo?)',
      'tenant acme: sageX3.classes.purchaseInvoice.lookupFields must be a non-empty array of X3 field codes',
      'tenant acme: sageX3.classes.purchaseInvoice.statusField must be an X3 field code (a letter, then letters, digits, _)',
    ]);
  });

  it('OAuth2 refresh-token settings: defaults, and the bootstrap expiry checked', () => {
    const oauth2 = {
      mode: 'oauth2',
      tokenUrl: 'http://127.0.0.1:2/token',
      clientId: 'x3-client',
      clientSecret: 'test-x3-secret-not-a-real-secret',
      refreshToken: 'test-refresh-not-a-real-secret',
    };
    const auth = TenantRegistry.fromJson(file(plain('acme', oauth2)), KEY).require('acme').sageX3.auth;
    expect(auth).toMatchObject({
      refreshTokenLifetimeDays: 30,
      refreshTokenRotation: 'keeps-expiry',
      refreshTokenWarnDays: 7,
      refreshMarginSeconds: 60,
    });
    expect(
      problems(
        file(
          plain('acme', {
            ...oauth2,
            refreshTokenExpiresAt: 'next month',
            refreshTokenRotation: 'sometimes',
            refreshTokenWarnDays: -1,
          }),
        ),
      ),
    ).toEqual([
      'tenant acme: sageX3.auth.refreshTokenExpiresAt must be an ISO 8601 date-time',
      'tenant acme: sageX3.auth.refreshTokenRotation must be keeps-expiry or renews',
      'tenant acme: sageX3.auth.refreshTokenWarnDays must be an integer between 0 and 365',
    ]);
  });

  it('reports every problem of the file at once, each naming the tenant and the path', () => {
    const a = plain('acme');
    set(a, 'servicetitan.environment', 'staging');
    set(a, 'servicetitan.tenantId', '1000001');
    set(a, 'servicetitan.pull', { enabled: 'no', pageSize: 0 });
    set(a, 'sageX3.folder', '');
    set(a, 'sageX3.currency', 'usd');
    set(a, 'sageX3.colour', 'blue');
    const b = plain('beta');
    set(b, 'servicetitan.webhook', { secrets: [], encoding: 'utf8' });
    set(b, 'sageX3.classes', { jurnalEntry: { class: 'GACCENTRY' }, product: { class: 'ITM MASTER' } });
    const json = file(a, b);
    (json.tenants as unknown[]).push({ id: 'Bad Id', servicetitan: [], sageX3: 'x3' }, 7);
    (json as Json)['comment'] = 'not a field';
    expect(problems(json)).toEqual([
      'tenants file: unknown field "comment" (typo?)',
      'tenant acme: servicetitan.environment must be production or integration',
      'tenant acme: servicetitan.tenantId must be a positive integer',
      'tenant acme: servicetitan.pull.enabled must be true or false',
      'tenant acme: servicetitan.pull.pageSize must be an integer between 1 and 5000',
      'tenant acme: sageX3: unknown field "colour" (typo?)',
      'tenant acme: sageX3.folder must be a non-empty string',
      'tenant acme: sageX3.currency must be a 3-letter ISO 4217 code such as USD',
      'tenant beta: servicetitan.webhook.encoding must be hex or base64',
      'tenant beta: servicetitan.webhook.secrets must hold one or two secrets',
      'tenant beta: sageX3.classes: key "jurnalEntry" must be one of journalEntry, glAccount, costCenter, supplier, purchaseOrder, purchaseInvoice, product',
      'tenant beta: sageX3.classes.product.class must be an X3 class name (letters, digits, _)',
      'tenants[2].id "Bad Id" must be a lowercase slug',
      'tenants[2].servicetitan must be an object',
      'tenants[2].sageX3 must be an object',
      'tenants[3] must be an object',
    ]);
  });

  it('requires the go-live date (syncFrom) when the pull is on, and checks the ServiceTitan options', () => {
    const a = plain('acme');
    set(a, 'servicetitan.syncFrom', undefined);
    const b = plain('beta');
    set(b, 'servicetitan.syncFrom', '2026-02-30');
    set(b, 'servicetitan.webhook.fields', { eventId: [], entityId: ['data..id'] });
    set(b, 'servicetitan.labor', { settleMinutes: -1, grossPayItemTypes: 'TimesheetTime' });
    set(b, 'servicetitan.lateCosts', 'ignore');
    set(b, 'servicetitan.writeBack', { enabled: 'yes', externalMessage: 'X3 {docNo}' });
    const c = plain('gamma');
    set(c, 'servicetitan.syncFrom', undefined);
    set(c, 'servicetitan.pull', { enabled: false });
    expect(problems(file(a, b, c))).toEqual([
      'tenant acme: servicetitan.syncFrom is required when the pull is enabled (the go-live date, e.g. 2026-11-01)',
      'tenant beta: servicetitan.webhook.fields.eventId must list dotted field paths such as "data.id"',
      'tenant beta: servicetitan.webhook.fields.entityId must list dotted field paths such as "data.id"',
      'tenant beta: servicetitan.syncFrom must be a date like 2026-11-01',
      'tenant beta: servicetitan.writeBack.enabled must be true or false',
      'tenant beta: servicetitan.writeBack.externalMessage: unknown placeholder(s) {docNo} (use {documentNumber} or {externalRef})',
      'tenant beta: servicetitan.labor.grossPayItemTypes must be an array of non-empty strings',
      'tenant beta: servicetitan.labor.settleMinutes must be a number of minutes between 0 and 10080',
      'tenant beta: servicetitan.lateCosts must be reverse-and-repost or adjustment',
    ]);
  });

  it('lists the required fields of an absent section, and a duplicate id', () => {
    const t = plain('acme');
    delete t['sageX3'];
    const json = file(t, plain('beta'));
    json.tenants.push({ ...json.tenants[1] });
    expect(problems(json)).toEqual([
      'tenant acme: sageX3 is required (object)',
      'tenant acme: sageX3.baseUrl is required',
      'tenant acme: sageX3.folder is required',
      'tenant acme: sageX3.auth is required (object)',
      'tenant acme: sageX3.auth.mode is required',
      'tenant acme: sageX3.site is required',
      'tenants[2].id "beta" is already used by tenants[1]',
    ]);
  });

  it('rejects bad URLs', () => {
    const t = plain('acme', {
      mode: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: 'auth.example.test/token',
      clientId: 'x3-client',
      clientSecret: 'test-x3-secret-not-a-real-secret',
    });
    set(t, 'servicetitan.apiBaseUrl', 'ftp://api.example.test');
    set(t, 'servicetitan.authUrl', 'https://auth example.test');
    set(t, 'sageX3.baseUrl', 42);
    expect(problems(file(t))).toEqual([
      'tenant acme: servicetitan.authUrl must be an http(s) URL',
      'tenant acme: servicetitan.apiBaseUrl must be an http(s) URL',
      'tenant acme: sageX3.baseUrl must be an http(s) URL',
      'tenant acme: sageX3.auth.tokenUrl must be an http(s) URL',
    ]);
  });

  it('names a tenant without a usable id by its position', () => {
    const t = plain('acme');
    delete t['id'];
    const json = file(plain('first'));
    json.tenants.push(t, { ...plain('x'), id: 'Bad Id' });
    const p = problems(json);
    expect(p).toContain('tenants[1].id is required');
    expect(p).toContain('tenants[2].id "Bad Id" must be a lowercase slug');
    // Without an id there is no place to bind a secret to: its ciphertexts are not opened.
    expect(p).toContain('tenants[1].servicetitan.appKey must be encrypted (enc:v1:…); use the tenant CLI to set it');
  });

  describe('Sage X3 auth modes', () => {
    const cases: Array<[string, Json, string[]]> = [
      [
        'basic',
        { mode: 'basic' },
        ['sageX3.auth.user is required', 'sageX3.auth.password is required (encrypted string)'],
      ],
      [
        'oauth2 (refresh_token grant, the default)',
        { mode: 'oauth2' },
        [
          'sageX3.auth.tokenUrl is required',
          'sageX3.auth.clientId is required',
          'sageX3.auth.clientSecret is required (encrypted string)',
          'sageX3.auth.refreshToken is required (encrypted string)',
        ],
      ],
      [
        'oauth2 (client_credentials grant: no refresh token)',
        { mode: 'oauth2', grant: 'client_credentials' },
        [
          'sageX3.auth.tokenUrl is required',
          'sageX3.auth.clientId is required',
          'sageX3.auth.clientSecret is required (encrypted string)',
        ],
      ],
      [
        'oauth2 with an unknown grant',
        {
          mode: 'oauth2',
          grant: 'password',
          tokenUrl: 'http://t',
          clientId: 'c',
          clientSecret: box.encrypt('test-not-a-real-secret', 'tenant:acme:sageX3.auth.clientSecret'),
        },
        ['sageX3.auth.grant must be client_credentials or refresh_token'],
      ],
      [
        'jwt',
        { mode: 'jwt' },
        [
          'sageX3.auth.clientId is required',
          'sageX3.auth.secret is required (encrypted string)',
          'sageX3.auth.user is required',
          'sageX3.auth.audience is required',
        ],
      ],
      // The fields of an unknown mode are not listed as unknown fields: the mode is the one problem.
      ['an unknown mode', { mode: 'kerberos', principal: 'svc' }, ['sageX3.auth.mode must be basic, oauth2 or jwt']],
      ['no mode', { user: 'svc' }, ['sageX3.auth.mode is required']],
    ];
    it.each(cases)('%s: names each missing field', (_name, auth, expected) => {
      const json = file(plain('acme'));
      set(json.tenants[0], 'sageX3.auth', auth);
      expect(problems(json)).toEqual(expected.map((e) => `tenant acme: ${e}`));
    });

    it('loads each mode with its secrets decrypted', () => {
      const jwt = TenantRegistry.fromJson(
        file(
          plain('acme', {
            mode: 'jwt',
            clientId: 'c',
            secret: 'test-jwt-secret-not-a-real-secret',
            user: 'svc',
            audience: 'x3',
          }),
        ),
        KEY,
      ).require('acme').sageX3.auth;
      expect(jwt.mode === 'jwt' && jwt.secret.reveal()).toBe('test-jwt-secret-not-a-real-secret');
      const cc = TenantRegistry.fromJson(
        file(
          plain('acme', {
            mode: 'oauth2',
            grant: 'client_credentials',
            tokenUrl: 'http://127.0.0.1:2/token/',
            clientId: 'c',
            clientSecret: 'test-x3-secret-not-a-real-secret',
            refreshToken: 'test-refresh-not-a-real-secret',
          }),
        ),
        KEY,
      ).require('acme').sageX3.auth;
      expect(cc).toMatchObject({ mode: 'oauth2', tokenUrl: 'http://127.0.0.1:2/token', refreshToken: undefined });
    });
  });

  describe('secrets', () => {
    it('rejects unencrypted and non-string secrets, single and in the webhook list', () => {
      const json = file(plain('acme'));
      const t = json.tenants[0];
      set(t, 'servicetitan.appKey', 'plaintext-app-key-not-a-real-secret');
      set(t, 'servicetitan.clientSecret', 12345);
      set(t, 'servicetitan.webhook.secrets', [
        (t['servicetitan'] as Json)['appKey'],
        'plain-webhook-not-a-real-secret',
      ]);
      set(t, 'sageX3.auth.password', undefined);
      expect(problems(json)).toEqual([
        'tenant acme: servicetitan.appKey must be encrypted (enc:v1:…); use the tenant CLI to set it',
        'tenant acme: servicetitan.clientSecret must be an encrypted string (enc:v1:…)',
        'tenant acme: servicetitan.webhook.secrets must be encrypted (enc:v1:…); use the tenant CLI to set it',
        'tenant acme: sageX3.auth.password is required (encrypted string)',
      ]);
      set(
        t,
        'servicetitan.webhook.secrets',
        ['a', 'b', 'c'].map((s) => box.encrypt(s, 'x')),
      );
      expect(problems(json)).toContain('tenant acme: servicetitan.webhook.secrets must hold one or two secrets');
    });

    it('lists secrets that do not decrypt (wrong key, copied from another tenant) with the other problems', () => {
      const json = file(plain('acme'), plain('beta'));
      // A ciphertext copied from acme to beta is bound to acme's place and does not open there.
      set(json.tenants[1], 'servicetitan.appKey', (json.tenants[0]['servicetitan'] as Json)['appKey']);
      set(json.tenants[1], 'sageX3.site', '');
      expect(problems(json)).toEqual([
        'tenant beta: sageX3.site must be a non-empty string',
        'tenant beta: secret for tenant:beta:servicetitan.appKey does not decrypt: wrong key or tampered value',
      ]);
      const wrongKey = problems(file(plain('acme')), SecretBox.generateKey());
      expect(wrongKey).toHaveLength(4);
      expect(
        wrongKey.every(
          (p) => p.startsWith('tenant acme: secret for tenant:acme:') && p.endsWith('wrong key or tampered value'),
        ),
      ).toBe(true);
    });

    it('hands every decrypted value to onSecret and never prints one', () => {
      const seen: string[] = [];
      const reg = TenantRegistry.fromJson(file(plain('acme')), KEY, { onSecret: (v) => seen.push(v) });
      expect(seen.sort()).toEqual([
        'test-app-key-not-a-real-secret',
        'test-client-secret-not-a-real-secret',
        'test-password-not-a-real-secret',
        'test-webhook-secret-not-a-real-secret',
      ]);
      expect(JSON.stringify(reg.list())).not.toContain('not-a-real-secret');
    });

    it('knows every secret field from the schema', () => {
      expect(SECRET_PATHS).toEqual([
        'servicetitan.appKey',
        'servicetitan.clientSecret',
        'servicetitan.webhook.secrets',
        'sageX3.auth.password',
        'sageX3.auth.clientSecret',
        'sageX3.auth.refreshToken',
        'sageX3.auth.secret',
      ]);
    });
  });

  it('names the file, and refuses a file that is not an object or has no tenant list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    const path = join(dir, 'tenants.json');
    writeFileSync(path, JSON.stringify({ tenants: [{ id: 'acme' }] }));
    expect(() => TenantRegistry.fromFile(path, KEY)).toThrow(
      `invalid tenants file ${path}:\n  - tenant acme: servicetitan is required (object)`,
    );
    expect(problems([])).toEqual(['tenants file must be a JSON object']);
    expect(problems({})).toEqual(['tenants file: tenants is required']);
    expect(problems({ tenants: {} })).toEqual(['tenants file: tenants must be an array']);
  });
});

describe('tenant CLI check', () => {
  it('prints one line per valid tenant, and fails listing every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    const path = join(dir, 'tenants.json');
    writeFileSync(path, JSON.stringify(file(plain('acme'), plain('beta'))));
    process.env['CONNECTOR_ENCRYPTION_KEY'] = KEY;
    const out: string[] = [];
    expect(runTenantCli(['check', path], (s) => out.push(s))).toBe(0);
    expect(out).toEqual([
      'acme: ok (ServiceTitan tenant 1000001, X3 basic SEED)',
      'beta: ok (ServiceTitan tenant 1000001, X3 basic SEED)',
    ]);
    const broken = file(plain('acme'), plain('beta'));
    set(broken.tenants[0], 'sageX3.site', undefined);
    set(broken.tenants[1], 'servicetitan.tenantId', 0);
    writeFileSync(path, JSON.stringify(broken));
    expect(() => runTenantCli(['check', path], () => undefined)).toThrow(
      /tenant acme: sageX3\.site is required\n {2}- tenant beta: servicetitan\.tenantId must be a positive integer$/,
    );
  });
});
