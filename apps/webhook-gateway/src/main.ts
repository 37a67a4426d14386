import 'reflect-metadata';
import { validateEnvOrExit } from '@connector/config';
import { runApp } from '@connector/messaging';
import { AppModule, APP_NAME } from './app/app.module';
import { GATEWAY_HTTP } from './app/gateway-http';
import { WebhookGatewayEnv } from './app/webhook-gateway.env';

async function main(): Promise<void> {
  const env = validateEnvOrExit(WebhookGatewayEnv, process.env, APP_NAME);
  await runApp(AppModule.forRoot(env), {
    app: APP_NAME,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    ...GATEWAY_HTTP,
  });
}

main().catch((e: Error) => {
  process.stderr.write(
    JSON.stringify({ level: 'fatal', app: APP_NAME, msg: 'failed to start', err: e.message }) + '\n',
  );
  process.exit(1);
});
