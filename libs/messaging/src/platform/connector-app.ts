import { JsonLogger } from '@connector/observability';
import { DynamicModule, INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaBusTransport } from '../transport/kafka-bus.transport';
import { applyHttpHygiene } from './http-hygiene';

export interface CreateAppOptions {
  app: string;
  /** Bind address for runApp (the app env's HOST; default 0.0.0.0). */
  host?: string;
  logLevel?: string;
  /** Raw body buffers on requests (webhook signature verification needs the exact bytes). */
  rawBody?: boolean;
  /** false: no JSON body parsing (the webhook-gateway reads and verifies raw bytes itself). */
  bodyParser?: boolean;
  /** HTTP set-up that must come before the routes are registered (e.g. the OpenAPI document). */
  configure?: (app: INestApplication) => void;
  /** HTTP server: Express (default) or Fastify (the webhook-gateway's lean hot path). */
  platform?: 'express' | 'fastify';
}

export interface RunAppOptions extends CreateAppOptions {
  port: number;
}

/**
 * Every connector app, in main.ts and in tests alike: JSON logs, shutdown hooks (SIGTERM lets in-flight messages
 * finish and commit), security headers and no X-Powered-By (applyHttpHygiene), the providers initialised (topics provisioned, producer connected), then the Kafka bus served
 * as a Nest microservice next to HTTP. Resolves once every consumer group has joined; HTTP is not listening yet.
 */
export async function createApp(
  module: Type<unknown> | DynamicModule,
  opts: CreateAppOptions,
): Promise<INestApplication> {
  const logger = new JsonLogger(opts.app, (opts.logLevel ?? 'info') as LogLevel | 'info');
  const options = {
    logger,
    rawBody: opts.rawBody ?? false,
    bufferLogs: false,
    bodyParser: opts.bodyParser ?? true,
    abortOnError: false,
  };
  // Loaded only by the apps that choose it, so the others never load fastify.
  const app =
    opts.platform === 'fastify'
      ? await NestFactory.create(module, new (await import('@nestjs/platform-fastify')).FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  app.enableShutdownHooks();
  await applyHttpHygiene(app);
  opts.configure?.(app);
  await app.init();
  app.connectMicroservice({ strategy: app.get(KafkaBusTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  return app;
}

/** createApp, then listen on the port. */
export async function runApp(module: Type<unknown> | DynamicModule, opts: RunAppOptions): Promise<INestApplication> {
  const app = await createApp(module, opts);
  await app.listen(opts.port, opts.host ?? '0.0.0.0');
  return app;
}
