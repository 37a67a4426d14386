import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyTooLargeError, readRawBody } from './raw-body.reader';
import { WebhookOutcome, WebhookTriggerService } from './webhook-trigger.service';

/**
 * `POST /webhooks/servicetitan/:tenant` on Fastify. The app registers no body parser (configureGatewayHttp): the
 * handler reads the raw bytes itself, bounded by the tenant's maxBodyBytes, so the HMAC covers exactly what was sent.
 */
@Controller('webhooks/servicetitan')
export class WebhookController {
  constructor(private readonly triggers: WebhookTriggerService) {}

  @Post(':tenant')
  async receive(
    @Param('tenant') tenantId: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const tenant = this.triggers.tenant(tenantId);
    if (!tenant) {
      req.raw.resume();
      return this.send(reply, this.triggers.reject(tenantId, 404, 'unknown-tenant', `unknown tenant "${tenantId}"`));
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req.raw, tenant.servicetitan.webhook.maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        req.raw.resume();
        reply.header('connection', 'close');
        return this.send(reply, this.triggers.reject(tenantId, 413, 'body-too-large', e.message));
      }
      return this.send(reply, { status: 400, body: { error: 'could not read request body', reason: 'read-error' } });
    }
    this.send(reply, await this.triggers.ingest(tenant, raw, { ...req.headers, 'content-type': sentContentType(req) }));
  }

  private send(reply: FastifyReply, out: WebhookOutcome): void {
    if (out.status === 503 && out.retryAfterSeconds !== undefined) reply.header('retry-after', out.retryAfterSeconds);
    void reply.code(out.status).send(out.body);
  }
}

/** Every Content-Type header as sent (configureGatewayHttp keeps Fastify from judging it before the signature). */
function sentContentType(req: FastifyRequest): string[] | undefined {
  const values: string[] = [];
  const raw = req.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toLowerCase() === 'content-type') values.push(raw[i + 1]);
  return values.length ? values : undefined;
}
