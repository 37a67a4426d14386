import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { applyHttpHygiene } from './http-hygiene';

@Controller()
class PingController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/** What every connector app must answer with, whatever its HTTP platform. */
async function headersOf(app: INestApplication): Promise<Headers> {
  await applyHttpHygiene(app);
  await app.init();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${address.port}/ping`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
  return res.headers;
}

describe('applyHttpHygiene', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.each([
    ['express', () => NestFactory.create(PingModule, { logger: false })],
    ['fastify', () => NestFactory.create(PingModule, new FastifyAdapter(), { logger: false })],
  ])('%s: security headers, no X-Powered-By', async (_platform, create) => {
    app = await create();
    const h = await headersOf(app);
    expect(h.get('x-powered-by')).toBeNull();
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('content-security-policy')).toContain("default-src 'self'");
    expect(h.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(h.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('express without it sends X-Powered-By and no nosniff (the check is real)', async () => {
    app = await NestFactory.create(PingModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/ping`);
    expect(res.headers.get('x-powered-by')).toBe('Express');
    expect(res.headers.get('x-content-type-options')).toBeNull();
  });
});
