import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BodyTooLargeError, readRawBody } from './raw-body.reader';
import { WebhookIngestService } from './webhook-ingest.service';

@Controller('webhooks/servicetitan')
export class WebhookController {
  constructor(private readonly ingest: WebhookIngestService) {}

  /** Body parsing is off for this app: the handler reads raw bytes so the HMAC covers exactly what was sent. */
  @Post(':tenant')
  async receive(@Param('tenant') tenant: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const limit = this.ingest.maxBodyBytes(tenant);
    if (limit === null) {
      req.resume();
      const out = this.ingest.reject(tenant, 404, 'unknown-tenant', `unknown tenant "${tenant}"`);
      res.status(out.status).json(out.body);
      return;
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        const out = this.ingest.reject(tenant, 413, 'body-too-large', e.message);
        res.setHeader('Connection', 'close');
        res.status(out.status).json(out.body);
        req.resume();
        return;
      }
      res.status(400).json({ error: 'could not read request body', reason: 'read-error' });
      return;
    }
    const out = await this.ingest.ingest(tenant, raw, req.headers);
    res.status(out.status).json(out.body);
  }
}
