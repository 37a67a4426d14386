import { Clock } from '../clock';
import { SageX3Hooks, SageX3JwtAuth } from '../sage-x3.config';
import { AuthProvider } from './auth-provider';
import { signHs256Jwt } from './jwt-sign';

/** Signs its own short-lived HS256 JWT and regenerates it before it expires. */
export class JwtTokenProvider implements AuthProvider {
  readonly mode = 'jwt' as const;
  private current?: { header: string; expMs: number };
  private readonly lifetimeSeconds: number;
  private readonly skewSeconds: number;
  private nextReason: 'initial' | 'proactive' | 'unauthorized' = 'initial';

  constructor(
    private readonly config: SageX3JwtAuth,
    private readonly clock: Clock,
    private readonly hooks: SageX3Hooks,
  ) {
    this.lifetimeSeconds = config.lifetimeSeconds ?? 300;
    this.skewSeconds = config.clockSkewSeconds ?? 30;
  }

  async authorization(): Promise<string> {
    const nowMs = this.clock.now();
    const renewBeforeMs = Math.min(60_000, (this.lifetimeSeconds * 1000) / 2);
    if (this.current && nowMs < this.current.expMs - renewBeforeMs) return this.current.header;
    const reason = this.current ? 'proactive' : this.nextReason;
    const nowSec = Math.floor(nowMs / 1000);
    const exp = nowSec + this.lifetimeSeconds;
    const token = signHs256Jwt(
      {
        iss: this.config.clientId,
        sub: this.config.user,
        aud: this.config.audience,
        iat: nowSec - this.skewSeconds,
        exp,
      },
      this.config.secret,
    );
    this.current = { header: `Bearer ${token}`, expMs: exp * 1000 };
    this.nextReason = 'proactive';
    this.hooks.onTokenAcquired?.({ mode: 'jwt', reason });
    return this.current.header;
  }

  handleUnauthorized(usedAuthorization: string): boolean {
    if (this.current?.header === usedAuthorization) {
      this.current = undefined;
      this.nextReason = 'unauthorized';
    }
    return true;
  }

  describe(): string {
    return `connected application '${this.config.clientId}' (JWT for X3 user '${this.config.user}')`;
  }
}
