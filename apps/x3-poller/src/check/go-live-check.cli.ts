/* `npm run check -- <tenant>`: the step before go-live. With the tenant's real credentials (TENANTS_FILE,
 * CONNECTOR_ENCRYPTION_KEY) it prints one line per check, PASS or FAIL and why, and exits 1 when any check failed
 * (2 on a usage error). It reads the shared Sage X3 credentials from Kafka (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX): a
 * refresh-token tenant's token rotates on use, so the check takes the token the running apps share — or, before
 * go-live when nothing runs yet, refreshes it itself as the tenant's credential owner and saves the rotation.
 */
import 'reflect-metadata';
import { validateEnv } from '@connector/config';
import { connectorAppImports, createApp } from '@connector/messaging';
import { Clock } from '@connector/sage-x3';
import { SageX3RuntimeModule } from '@connector/sage-x3-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { X3_POLLER_ENTITIES } from '../app/app.module';
import { X3PollerEnv } from '../app/x3-poller.env';
import { formatCheckReport, GoLiveCheckService } from './go-live-check.service';

@Module({})
class CheckModule {
  static forRoot(env: X3PollerEnv, x3Clock?: Clock): DynamicModule {
    return {
      module: CheckModule,
      imports: [
        ...connectorAppImports('x3-check', env, { tenants: true }),
        SageX3RuntimeModule.forRoot(env, {
          source: 'manual',
          entities: [...X3_POLLER_ENTITIES],
          ownership: true,
          clock: x3Clock,
        }),
      ],
      providers: [{ provide: X3PollerEnv, useValue: env }, GoLiveCheckService],
    };
  }
}

/**
 * Runs the check for one tenant and returns the printed report and the exit code. `x3Clock`: tests only (the X3
 * simulator's clock, when the apps under test run on it).
 */
export async function runGoLiveCheck(
  env: X3PollerEnv,
  tenant: string,
  x3Clock?: Clock,
): Promise<{ code: number; text: string; ok: boolean }> {
  const app = await createApp(CheckModule.forRoot(env, x3Clock), { app: 'x3-check', logLevel: env.LOG_LEVEL });
  try {
    const report = await app.get(GoLiveCheckService).run(tenant);
    return { code: report.ok ? 0 : 1, text: formatCheckReport(report), ok: report.ok };
  } finally {
    await app.close();
  }
}

/**
 * The CLI's environment: the app's, with what a one-shot check needs — no start-up field check of every tenant (the
 * check verifies its own tenant), a quick credentials loop, and a token wait long enough for the check to become
 * the tenant's credential owner itself when no app runs (hand-over grace + a refresh).
 */
export function checkEnv(source: Record<string, string | undefined>): X3PollerEnv {
  const base = validateEnv(X3PollerEnv, { LOG_LEVEL: 'warn', ...source });
  return validateEnv(X3PollerEnv, {
    LOG_LEVEL: 'warn',
    X3_CREDENTIALS_CHECK_INTERVAL_MS: '500',
    X3_TOKEN_WAIT_MS: String(base.X3_CREDENTIALS_HANDOVER_GRACE_MS + base.X3_TOKEN_TIMEOUT_MS + 10000),
    ...source,
    X3_FIELD_CHECK_ENABLED: 'false',
    X3_POLL_ENABLED: 'false',
  });
}

if (require.main === module) {
  const tenant = process.argv[2];
  if (!tenant) {
    process.stderr.write('usage: npm run check -- <tenant>\n');
    process.exit(2);
  }
  runGoLiveCheck(checkEnv(process.env), tenant).then(
    ({ code, text }) => {
      process.stdout.write(text + '\n');
      process.exit(code);
    },
    (e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    },
  );
}
