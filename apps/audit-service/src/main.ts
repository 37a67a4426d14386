import 'reflect-metadata';
import { validateEnvOrExit } from '@connector/config';
import { runApp } from '@connector/messaging';
import { Redactor } from '@connector/observability';
import { AppModule, APP_NAME } from './app/app.module';
import { AuditServiceEnv } from './app/audit-service.env';
import { configureAuditApp } from './app/configure-app';

async function main(): Promise<void> {
  const env = validateEnvOrExit(AuditServiceEnv, process.env, APP_NAME);
  if (env.DATABASE_URL) {
    // The password inside the connection string must never reach a log line.
    const password = safePassword(env.DATABASE_URL);
    if (password) Redactor.register(password);
  }
  await runApp(AppModule.forRoot(env), {
    app: APP_NAME,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    configure: configureAuditApp,
  });
}

function safePassword(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).password) || null;
  } catch {
    return null;
  }
}

main().catch((e: Error) => {
  process.stderr.write(
    JSON.stringify({ level: 'fatal', app: APP_NAME, msg: 'failed to start', err: e.message }) + '\n',
  );
  process.exit(1);
});
