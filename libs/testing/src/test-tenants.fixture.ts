import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, TenantSecretsEditor } from '@connector/config';

/** Obviously fake credentials for tests; the simulators are seeded with the same values. */
export const TEST_CREDENTIALS = {
  stTenantId: 1000001,
  stAppKey: 'test-app-key-not-a-real-secret',
  stClientId: 'cid.test.simulated',
  stClientSecret: 'test-client-secret-not-a-real-secret',
  webhookSecret: 'test-webhook-hmac-key-not-a-real-secret-0001',
  x3User: 'connector-test',
  x3Password: 'test-x3-password-not-a-real-secret',
  x3ClientId: 'test-x3-client',
  x3ClientSecret: 'test-x3-client-secret-not-a-real-secret',
} as const;

export interface TestTenantOptions {
  id?: string;
  stUrl?: string;
  x3Url?: string;
  webhookSecrets?: string[];
  webhookEncoding?: 'hex' | 'base64';
  maxBodyBytes?: number;
  x3Auth?: Record<string, unknown>;
  /** Merged into the servicetitan section (e.g. `{ syncFrom, pull: { enabled: true } }`, writeBack, labor). */
  servicetitan?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export function testTenant(o: TestTenantOptions = {}): Record<string, unknown> {
  const stUrl = o.stUrl ?? 'http://127.0.0.1:9';
  const x3Url = o.x3Url ?? 'http://127.0.0.1:9';
  return {
    id: o.id ?? 'acme',
    name: 'Acme Test Tenant',
    servicetitan: {
      environment: 'integration',
      authUrl: `${stUrl}/connect/token`,
      apiBaseUrl: stUrl,
      tenantId: TEST_CREDENTIALS.stTenantId,
      appKey: TEST_CREDENTIALS.stAppKey,
      clientId: TEST_CREDENTIALS.stClientId,
      clientSecret: TEST_CREDENTIALS.stClientSecret,
      webhook: {
        secrets: o.webhookSecrets ?? [TEST_CREDENTIALS.webhookSecret],
        encoding: o.webhookEncoding ?? 'hex',
        maxBodyBytes: o.maxBodyBytes ?? 64 * 1024,
      },
      pull: { enabled: false, intervalSeconds: 3600, pageSize: 50 },
      ...(o.servicetitan ?? {}),
    },
    sageX3: {
      baseUrl: x3Url,
      folder: 'SEED',
      site: 'FR011',
      currency: 'USD',
      auth: o.x3Auth ?? { mode: 'basic', user: TEST_CREDENTIALS.x3User, password: TEST_CREDENTIALS.x3Password },
      poll: { enabled: false, intervalSeconds: 3600, pageSize: 50 },
    },
    ...(o.extra ?? {}),
  };
}

/** Writes an encrypted tenants file into a temp dir; returns its path and the key that opens it. */
export function writeTestTenantsFile(tenants: Array<Record<string, unknown>>): {
  file: string;
  key: string;
  dir: string;
} {
  const key = SecretBox.generateKey();
  const box = new SecretBox(key);
  const editor = TenantSecretsEditor.empty();
  for (const t of tenants) editor.addTenant(t, box);
  const dir = mkdtempSync(join(tmpdir(), 'connector-tenants-'));
  const file = join(dir, 'tenants.json');
  writeFileSync(file, JSON.stringify(editor.toJSON(), null, 2));
  return { file, key, dir };
}
