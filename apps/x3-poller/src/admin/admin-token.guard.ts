import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { X3PollerEnv } from '../app/x3-poller.env';

/**
 * The x3-poller's admin routes: `Authorization: Bearer <token>` whose sha256 is X3_POLLER_ADMIN_TOKEN_SHA256
 * (compared in constant time). Without that variable the routes do not exist (404).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly env: X3PollerEnv) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.env.X3_POLLER_ADMIN_TOKEN_SHA256;
    if (!expected) throw new NotFoundException();
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers[
      'authorization'
    ];
    const token = header?.replace(/^Bearer\s+/i, '') ?? '';
    const given = createHash('sha256').update(token).digest();
    if (!token || !timingSafeEqual(given, Buffer.from(expected, 'hex')))
      throw new UnauthorizedException('admin token required');
    return true;
  }
}
