import 'reflect-metadata';
import { validateEnvOrExit } from '@connector/config';
import { runApp } from '@connector/messaging';
import { AppModule, APP_NAME } from './app/app.module';
import { X3PosterEnv } from './app/x3-poster.env';

async function main(): Promise<void> {
  const env = validateEnvOrExit(X3PosterEnv, process.env, APP_NAME);
  await runApp(AppModule.forRoot(env), { app: APP_NAME, port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL });
}

main().catch((e: Error) => {
  process.stderr.write(
    JSON.stringify({ level: 'fatal', app: APP_NAME, msg: 'failed to start', err: e.message }) + '\n',
  );
  process.exit(1);
});
