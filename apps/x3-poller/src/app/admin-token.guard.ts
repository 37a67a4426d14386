import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { X3PollerEnv } from './x3-poller.env';

/**
 * The poller's admin routes (resync, read-back): a Bearer token whose sha256 is X3_POLLER_ADMIN_TOKEN_SHA256,
 * compared in constant time. Without a configured hash the routes do not exist (404).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly env: X3PollerEnv) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.env.X3_POLLER_ADMIN_TOKEN_SHA256;
    if (!expected) throw new NotFoundException();
    // Platform-neutral (express or fastify): only the headers are read.
    const auth = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['authorization'];
    const token = (typeof auth === 'string' ? auth : '').replace(/^Bearer\s+/i, '');
    const given = createHash('sha256').update(token).digest();
    if (!token || !timingSafeEqual(given, Buffer.from(expected, 'hex')))
      throw new UnauthorizedException('admin token required');
    return true;
  }
}
