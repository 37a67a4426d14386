import { CreateAppOptions } from '@connector/messaging';
import { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Fastify with no body parsing at all: the webhook handler reads the raw bytes itself (bounded per tenant), so the
 * HMAC is verified over exactly what was sent, before any parsing. Fastify's own Content-Type check is taken out too
 * (it would answer 415 to a malformed Content-Type before the signature is verified): the header is removed from the
 * parsed headers on arrival, and the handler judges the one in `rawHeaders` after the signature (webhook-body.parser).
 */
export function configureGatewayHttp(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  fastify.addHook('onRequest', (req, _reply, done) => {
    delete req.headers['content-type'];
    done();
  });
}

/** How the gateway's HTTP server is created, in main.ts and in tests alike. */
export const GATEWAY_HTTP: Pick<CreateAppOptions, 'platform' | 'bodyParser' | 'configure'> = {
  platform: 'fastify',
  bodyParser: false,
  configure: configureGatewayHttp,
};
