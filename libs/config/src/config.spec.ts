import { inspect } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvValidationError, validateEnv } from './env/env-validation';
import { EnvBoolean, TenantEnv } from './env/common-env';
import { Secret, SecretBox } from './secrets/secret-box';
import { TenantRegistry, TenantConfigError } from './tenants/tenant-registry';
import { TenantSecretsEditor } from './tenants/tenant-secrets.editor';
import { runTenantCli } from './cli/tenant.cli';

const KEY = SecretBox.generateKey();

function plaintextTenant(id = 'acme') {
  return {
    id,
    name: 'Acme Test Tenant',
    servicetitan: {
      environment: 'integration',
      apiBaseUrl: 'http://127.0.0.1:1',
      authUrl: 'http://127.0.0.1:1/connect/token',
      tenantId: 1000001,
      appKey: 'test-app-key-not-real',
      clientId: 'cid.test',
      clientSecret: 'test-client-secret-not-real',
      webhook: { secrets: ['test-webhook-secret-not-real-0000000000'] },
      syncFrom: '2026-11-01',
    },
    sageX3: {
      baseUrl: 'http://127.0.0.1:2',
      folder: 'SEED',
      site: 'FR011',
      auth: { mode: 'basic', user: 'svc', password: 'test-password-not-real' },
    },
  };
}

describe('env validation', () => {
  it('names every missing or invalid variable without echoing values', () => {
    let err: EnvValidationError | undefined;
    try {
      validateEnv(TenantEnv, { KAFKA_BROKERS: 'not a broker list', PORT: 'abc', CONNECTOR_ENCRYPTION_KEY: undefined });
    } catch (e) {
      err = e as EnvValidationError;
    }
    expect(err).toBeInstanceOf(EnvValidationError);
    expect(err?.message).toContain('KAFKA_BROKERS must be a comma-separated host:port list');
    expect(err?.message).toContain('PORT');
    expect(err?.message).toContain('CONNECTOR_ENCRYPTION_KEY');
    expect(err?.message).not.toContain('not a broker list');
  });
  it('applies defaults and converts types', () => {
    const env = validateEnv(TenantEnv, { CONNECTOR_ENCRYPTION_KEY: KEY, PORT: '8080', TENANTS_FILE: 'tenants.json' });
    expect(env.PORT).toBe(8080);
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:9092');
  });
});

describe('boolean variables', () => {
  class FlagEnv {
    @EnvBoolean(true) FLAG: boolean = true;
  }
  it('reads "false" as false, defaults when unset, and rejects garbage by name', () => {
    expect(validateEnv(FlagEnv, { FLAG: 'false' }).FLAG).toBe(false);
    expect(validateEnv(FlagEnv, { FLAG: '1' }).FLAG).toBe(true);
    expect(validateEnv(FlagEnv, {}).FLAG).toBe(true);
    expect(() => validateEnv(FlagEnv, { FLAG: 'maybe' })).toThrow('FLAG must be true or false');
  });
});

describe('secret box', () => {
  const box = new SecretBox(KEY);
  it('round-trips and binds ciphertext to its place', () => {
    const c = box.encrypt('s3cr3t-value', 'tenant:a:x');
    expect(c.startsWith('enc:v1:')).toBe(true);
    expect(c).not.toContain('s3cr3t');
    expect(box.decrypt(c, 'tenant:a:x')).toBe('s3cr3t-value');
    expect(() => box.decrypt(c, 'tenant:b:x')).toThrow('wrong key or tampered value');
  });
  it('detects tampering and a wrong key', () => {
    const c = box.encrypt('value', 'aad');
    const raw = Buffer.from(c.slice(7), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => box.decrypt('enc:v1:' + raw.toString('base64'), 'aad')).toThrow('tampered');
    expect(() => new SecretBox(SecretBox.generateKey()).decrypt(c, 'aad')).toThrow('wrong key');
    expect(() => new SecretBox('c2hvcnQ=')).toThrow('32 bytes');
  });
  it('Secret never prints its value', () => {
    const s = new Secret('hunter2-secret');
    expect(String(s)).toBe('[REDACTED]');
    expect(JSON.stringify({ s })).toBe('{"s":"[REDACTED]"}');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2-secret');
  });
});

describe('tenant registry and editor', () => {
  it('loads encrypted tenants, reports secrets, and rejects plaintext secrets', () => {
    const editor = TenantSecretsEditor.empty();
    editor.addTenant(plaintextTenant(), new SecretBox(KEY));
    const seen: string[] = [];
    const reg = TenantRegistry.fromJson(editor.toJSON(), KEY, { onSecret: (v) => seen.push(v) });
    const t = reg.require('acme');
    expect(t.servicetitan.clientSecret.reveal()).toBe('test-client-secret-not-real');
    expect(t.servicetitan.webhook.signatureHeader).toBe('x-servicetitan-signature');
    expect(t.sageX3.classes['journalEntry'].class).toBe('GACCENTRY');
    expect(seen).toContain('test-password-not-real');
    expect(JSON.stringify(editor.toJSON())).not.toContain('not-real');
    expect(() => TenantRegistry.fromJson({ tenants: [plaintextTenant()] }, KEY)).toThrow('must be encrypted');
    expect(() => reg.require('nope')).toThrow(TenantConfigError);
  });
  it('rotates the webhook secret with an overlap, then retires the old one', () => {
    const box = new SecretBox(KEY);
    const editor = TenantSecretsEditor.empty();
    editor.addTenant(plaintextTenant(), box);
    editor.setSecret('acme', 'servicetitan.webhook.secrets', 'test-webhook-secret-not-real-1111111111', box, {
      rotate: true,
    });
    let t = TenantRegistry.fromJson(editor.toJSON(), KEY).require('acme');
    expect(t.servicetitan.webhook.secrets.map((s) => s.reveal())).toEqual([
      'test-webhook-secret-not-real-1111111111',
      'test-webhook-secret-not-real-0000000000',
    ]);
    editor.retireOldWebhookSecret('acme');
    t = TenantRegistry.fromJson(editor.toJSON(), KEY).require('acme');
    expect(t.servicetitan.webhook.secrets).toHaveLength(1);
    expect(() => editor.setSecret('acme', 'name', 'x', box)).toThrow('not a secret field');
  });
  it('CLI add refuses a tenant the apps could not load (no go-live date with the pull on) and saves nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    const file = join(dir, 'tenants.json');
    process.env['CONNECTOR_ENCRYPTION_KEY'] = KEY;
    const { syncFrom: _s, ...servicetitan } = plaintextTenant().servicetitan;
    const noGoLive = JSON.stringify({ ...plaintextTenant(), servicetitan });
    expect(() =>
      runTenantCli(
        ['add', file],
        () => undefined,
        () => noGoLive,
      ),
    ).toThrow('tenant acme: servicetitan.syncFrom is required when the pull is enabled');
    expect(() => readFileSync(file)).toThrow();
    const out: string[] = [];
    expect(
      runTenantCli(
        ['add', file],
        (s) => out.push(s),
        () => JSON.stringify(plaintextTenant()),
      ),
    ).toBe(0);
    expect(TenantRegistry.fromFile(file, KEY).require('acme').servicetitan.syncFrom).toBe('2026-11-01');
  });

  it('CLI re-keys a file so that only the new key opens it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    const file = join(dir, 'tenants.json');
    const editor = TenantSecretsEditor.empty();
    editor.addTenant(plaintextTenant(), new SecretBox(KEY));
    writeFileSync(file, JSON.stringify(editor.toJSON()));
    const newKey = SecretBox.generateKey();
    process.env['CONNECTOR_ENCRYPTION_KEY'] = KEY;
    process.env['NEW_CONNECTOR_ENCRYPTION_KEY'] = newKey;
    const out: string[] = [];
    expect(runTenantCli(['rekey', file], (s) => out.push(s))).toBe(0);
    expect(out[0]).toMatch(/re-encrypted 4 secrets/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(() => TenantRegistry.fromJson(json, KEY)).toThrow('wrong key');
    expect(TenantRegistry.fromJson(json, newKey).require('acme').sageX3.auth.mode).toBe('basic');
    delete process.env['NEW_CONNECTOR_ENCRYPTION_KEY'];
  });
});
