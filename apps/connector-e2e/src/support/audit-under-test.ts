import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { createApp } from '@connector/messaging';
import { testAppEnv } from '@connector/testing';
import { INestApplication } from '@nestjs/common';
import { AppModule as AuditModule, AuditServiceEnv, configureAuditApp } from '@connector/app-audit-service';

type Rec = Record<string, unknown>;

export interface AuditUnderTest {
  app: INestApplication;
  url: string;
  /** GET (no body) or POST (JSON body) on the audit API as the admin; expects a 2xx answer. */
  api(path: string, body?: unknown): Promise<Rec>;
}

/**
 * The audit-service of an end-to-end suite: on the suite's topic namespace, its trail in an embedded PGlite database,
 * listening on 127.0.0.1 (a free port), with `adminToken` as the admin API token.
 */
export async function startAuditUnderTest(prefix: string, adminToken: string): Promise<AuditUnderTest> {
  const env = validateEnv(AuditServiceEnv, {
    ...testAppEnv(prefix),
    AUDIT_ADMIN_TOKEN_SHA256: createHash('sha256').update(adminToken).digest('hex'),
    AUDIT_PGLITE_DIR: mkdtempSync(join(tmpdir(), `${prefix}-audit-`)),
  });
  const app = await createApp(AuditModule.forRoot(env), {
    app: 'audit-service',
    logLevel: 'error',
    configure: configureAuditApp,
  });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const api = async (path: string, body?: unknown): Promise<Rec> => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as Rec;
  };
  return { app, url, api };
}
