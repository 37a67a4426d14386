import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTokenRegistry, Principal } from './api-token.registry';

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** Bearer token → principal (admin or one tenant). Every /api route uses it; health, metrics and docs do not. */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly tokens: ApiTokenRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const principal = match ? this.tokens.authenticate(match[1]) : null;
    if (!principal)
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'a valid API token is required (Authorization: Bearer <token>)',
      });
    req.principal = principal;
    return true;
  }
}

export function principalOf(req: AuthenticatedRequest): Principal {
  if (!req.principal) throw new UnauthorizedException();
  return req.principal;
}

/** The tenant a request may see: its own for tenant tokens; the requested one (or all) for the admin. */
export function tenantScope(p: Principal, requested?: string): string | null {
  if (p.role === 'tenant') return p.tenant;
  return requested || null;
}
