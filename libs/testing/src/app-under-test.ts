import { INestApplication } from '@nestjs/common';
import { DynamicModule } from '@nestjs/common/interfaces';
import { createApp } from '@connector/messaging';
import { AddressInfo, createServer } from 'node:net';

export interface AppUnderTest {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts an app module in-process like main.ts does (createApp), on 127.0.0.1:0; its consumer groups have joined. */
export async function startAppUnderTest(
  module: DynamicModule,
  name: string,
  opts: { bodyParser?: boolean; configure?: (app: INestApplication) => void; platform?: 'express' | 'fastify' } = {},
): Promise<AppUnderTest> {
  const app = await createApp(module, {
    app: name,
    logLevel: process.env['TEST_LOG_LEVEL'] ?? 'error',
    bodyParser: opts.bodyParser,
    configure: opts.configure,
    platform: opts.platform,
  });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for an app started as a process with PORT=…). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
