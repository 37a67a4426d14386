import { INestApplication } from '@nestjs/common';
import { DynamicModule } from '@nestjs/common/interfaces';
import { MessagingService } from '@connector/messaging';
import { createApp } from '@connector/observability';
import { AddressInfo } from 'node:net';

export interface AppUnderTest {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts an app module in-process on 127.0.0.1:0, waits until its consumers joined. */
export async function startAppUnderTest(
  module: DynamicModule,
  name: string,
  opts: { bodyParser?: boolean } = {},
): Promise<AppUnderTest> {
  const app = await createApp(module, {
    app: name,
    logLevel: process.env['TEST_LOG_LEVEL'] ?? 'error',
    bodyParser: opts.bodyParser,
  });
  await app.listen(0, '127.0.0.1');
  await app.get(MessagingService).waitUntilReady(45000);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
