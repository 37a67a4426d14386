import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { createApp } from '@connector/messaging';
import { INestApplication } from '@nestjs/common';
import { AppModule, APP_NAME } from '../app.module';
import { AuditServiceEnv } from '../audit-service.env';
import { sha256Hex } from '../auth/api-token.registry';
import { configureAuditApp } from '../configure-app';
import { Database, PgliteDatabase, PostgresDatabase } from '../database/database';

// Same default as @connector/testing (not imported here: app code may not depend on the testing lib).
const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

/** Obviously fake tokens for tests. */
export const TEST_TOKENS = {
  admin: 'test-admin-token-not-real-000',
  acme: 'test-acme-token-not-real-000',
  globex: 'test-globex-token-not-real-000',
} as const;

export interface TestDatabase {
  db: Database;
  /** Drops what the test created (the PostgreSQL schema) and closes the connection. */
  dispose(): Promise<void>;
}

export interface DriverSpec {
  name: 'pglite' | 'postgres';
  open(): Promise<TestDatabase>;
}

let postgresUrl: string | null = null;

/** DATABASE_URL_TEST, or the server scripts/postgres.sh starts (idempotent; prints DATABASE_URL=…). */
export function testPostgresUrl(): string {
  if (postgresUrl) return postgresUrl;
  const fromEnv = process.env['DATABASE_URL_TEST'];
  if (fromEnv) return (postgresUrl = fromEnv);
  const script = join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'postgres.sh');
  const out = execFileSync('bash', [script, 'start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  const line = out.split('\n').find((l) => l.startsWith('DATABASE_URL='));
  if (!line) throw new Error('scripts/postgres.sh start did not print DATABASE_URL');
  return (postgresUrl = line.slice('DATABASE_URL='.length).trim());
}

/** Both drivers, same SQL: every integration suite runs against each. */
export const TEST_DRIVERS: DriverSpec[] = [
  {
    name: 'pglite',
    open: async () => {
      const db = await PgliteDatabase.open();
      return { db, dispose: () => db.close() };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = `t_${randomBytes(5).toString('hex')}`;
      const url = testPostgresUrl();
      const db = PostgresDatabase.open(url, { schema, poolSize: 5 });
      return {
        db,
        dispose: async () => {
          await db.close();
          const admin = PostgresDatabase.open(url, { poolSize: 1 });
          await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.close());
        },
      };
    },
  },
];

export interface RunningAuditApp {
  app: INestApplication;
  baseUrl: string;
  env: AuditServiceEnv;
  close(): Promise<void>;
}

export function testAuditEnv(prefix: string, extra: Record<string, string> = {}): AuditServiceEnv {
  return validateEnv(AuditServiceEnv, {
    PORT: '0',
    KAFKA_BROKERS: TEST_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'error',
    SHUTDOWN_TIMEOUT_MS: '15000',
    AUDIT_ADMIN_TOKEN_SHA256: sha256Hex(TEST_TOKENS.admin),
    AUDIT_TENANT_TOKENS: `acme:${sha256Hex(TEST_TOKENS.acme)},globex:${sha256Hex(TEST_TOKENS.globex)}`,
    ...extra,
  });
}

/** The real audit-service (AppModule.forRoot) in-process, on 127.0.0.1:<random>, with the given database. */
export async function startAuditApp(
  prefix: string,
  db: Database,
  extra: Record<string, string> = {},
): Promise<RunningAuditApp> {
  const env = testAuditEnv(prefix, extra);
  const app = await createApp(AppModule.forRoot(env, { database: db }), {
    app: APP_NAME,
    logLevel: process.env['AUDIT_TEST_LOG_LEVEL'] ?? 'error',
    configure: configureAuditApp,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, env, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** fetch + JSON with an optional bearer token. */
export async function call(
  baseUrl: string,
  path: string,
  opts: { token?: string; method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}
