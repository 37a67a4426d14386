import { INestApplication, LogLevel, Type } from '@nestjs/common';
import { DynamicModule } from '@nestjs/common/interfaces';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from '../logging/json-logger';

export interface RunAppOptions {
  app: string;
  port: number;
  host?: string;
  logLevel?: string;
  /** Raw body buffers on requests (webhook signature verification needs the exact bytes). */
  rawBody?: boolean;
  /** false: no JSON body parsing (the webhook-gateway reads and verifies raw bytes itself). */
  bodyParser?: boolean;
}

/** Shared main.ts: JSON logs, shutdown hooks (SIGTERM finishes in-flight messages), listen. */
export async function createApp(
  module: Type<unknown> | DynamicModule,
  opts: Omit<RunAppOptions, 'port'>,
): Promise<INestApplication> {
  const logger = new JsonLogger(opts.app, (opts.logLevel ?? 'info') as LogLevel | 'info');
  const app = await NestFactory.create(module, {
    logger,
    rawBody: opts.rawBody ?? false,
    bufferLogs: false,
    bodyParser: opts.bodyParser ?? true,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}

export async function runApp(module: Type<unknown> | DynamicModule, opts: RunAppOptions): Promise<INestApplication> {
  const app = await createApp(module, opts);
  await app.listen(opts.port, opts.host ?? '0.0.0.0');
  return app;
}
