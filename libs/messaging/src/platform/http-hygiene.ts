import { INestApplication } from '@nestjs/common';
import helmet from 'helmet';

/**
 * Security headers for every connector app's HTTP answers, whichever HTTP platform it runs on: helmet's defaults
 * (X-Content-Type-Options: nosniff, a restrictive Content-Security-Policy, X-Frame-Options, Referrer-Policy: no-referrer,
 * Cross-Origin-*-Policy, Strict-Transport-Security, …) and no `X-Powered-By`. Pages that need a different policy
 * (the audit console) set their own Content-Security-Policy on the response, which replaces helmet's.
 * Must run before the routes are registered (before app.init()).
 */
export async function applyHttpHygiene(app: INestApplication): Promise<void> {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') {
    // Loaded only for fastify apps (the webhook-gateway), so express apps never load fastify's plugin.
    const { default: fastifyHelmet } = await import('@fastify/helmet');
    const fastifyApp = app as INestApplication & {
      register(plugin: typeof fastifyHelmet, opts?: Record<string, unknown>): Promise<unknown>;
    };
    await fastifyApp.register(fastifyHelmet);
    return;
  }
  // express: helmet removes the header per response; disabling it also stops express from setting it at all.
  (adapter.getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  app.use(helmet());
}
