import { SecretBox, TenantConfig, TenantRegistry } from '@connector/config';
import { createEnvelope, MessageSource, Topics, X3_CREDENTIALS, X3CredentialsV1 } from '@connector/contracts';
import { CompactedTopicView, StateViews, TenantOwnership, TenantOwnerships } from '@connector/messaging';
import { Redactor } from '@connector/observability';
import { jwtExpiry, X3CredentialConflictError, X3CredentialStore, X3TokenSet } from '@connector/sage-x3';
import { Logger } from '@nestjs/common';
import { X3AppEnv } from '../x3-app.env';
import { X3CredentialsCodec } from './x3-credentials.codec';

/** The consumer group whose partition assignment of connector.x3-credentials.v1 names each tenant's refresher. */
export const X3_CREDENTIALS_OWNER_GROUP = 'x3-credentials-owner';

/** How many generations of a tenant's tokens stay registered with the log redactor (older ones are spent). */
const REDACTED_GENERATIONS = 3;

/** Tenants whose OAuth2 token set is shared through the topic: the refresh_token grant (X3 rotates it on use). */
export function sharesX3Credentials(tenant: TenantConfig): boolean {
  const auth = tenant.sageX3.auth;
  return auth.mode === 'oauth2' && auth.grant === 'refresh_token';
}

/**
 * The Sage X3 OAuth2 token sets of this deployment's refresh-token tenants, shared by every process of x3-poster
 * and x3-poller (and the CLIs) through the compacted topic connector.x3-credentials.v1 (key = tenant; tokens
 * encrypted), read by a state view. One process per tenant may refresh: the member of the `x3-credentials-owner`
 * group assigned the tenant's partition, after the hand-over grace and after it has read the topic to its end (so
 * it never presents a refresh token its predecessor already spent). Everyone else uses the stored access token and
 * waits for the owner's next generation.
 *
 * The tenants file's refresh token only bootstraps a tenant the topic knows nothing about (generation 0); a token
 * seeded by the CLI, or rotated by the owner, is newer and wins.
 */
export class X3CredentialsService {
  private readonly logger = new Logger('x3-credentials');
  private readonly view: CompactedTopicView<X3TokenSet>;
  private readonly ownership: TenantOwnership | null;
  private readonly codec: X3CredentialsCodec;
  private readonly tenants = new Map<string, TenantConfig>();
  private readonly bootstraps = new Map<string, X3TokenSet | undefined>();
  private readonly stores = new Map<string, X3CredentialStore>();
  /** Owned tenants whose view has been read to the end since ownership began. */
  private readonly synced = new Set<string>();
  private readonly syncing = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private readonly redacted = new Map<string, string[]>();

  constructor(
    registry: TenantRegistry,
    views: StateViews,
    ownerships: TenantOwnerships | null,
    env: X3AppEnv,
    private readonly source: MessageSource,
  ) {
    this.codec = new X3CredentialsCodec(new SecretBox(env.CONNECTOR_ENCRYPTION_KEY));
    for (const t of registry.list().filter(sharesX3Credentials)) this.tenants.set(t.id, t);
    this.view = views.open({
      topic: Topics.X3Credentials,
      name: 'x3-credentials',
      filter: (envelope, key) => this.tenants.has(envelope.tenant) && key === envelope.tenant,
      decode: (envelope, key) => {
        const set = this.codec.decode(key, envelope.payload as X3CredentialsV1);
        this.redact(key, set);
        return set;
      },
    });
    this.view.onChange(() => this.wake());
    void this.view.ready().then(() => this.wake());
    // Membership only where a tenant needs it: a rebalance costs every member its ownership for the grace period.
    this.ownership =
      ownerships && this.tenants.size
        ? ownerships.of(X3_CREDENTIALS_OWNER_GROUP, {
            topic: Topics.X3Credentials,
            handOverGraceMs: env.X3_CREDENTIALS_HANDOVER_GRACE_MS,
          })
        : null;
  }

  /** Whether the tenant's tokens are shared through the topic (grant refresh_token). */
  shares(tenantId: string): boolean {
    return this.tenants.has(tenantId);
  }

  /** The store the tenant's Sage X3 client keeps its token set in. */
  storeFor(tenantId: string): X3CredentialStore {
    if (!this.tenants.has(tenantId)) throw new Error(`tenant ${tenantId} does not share X3 credentials`);
    let store = this.stores.get(tenantId);
    if (!store) {
      store = {
        current: () => this.current(tenantId),
        mayRefresh: () => this.mayRefresh(tenantId),
        save: (next, previousGeneration) => this.save(tenantId, next, previousGeneration),
        waitForNewer: (generation, timeoutMs) => this.waitForNewer(tenantId, generation, timeoutMs),
      };
      this.stores.set(tenantId, store);
    }
    return store;
  }

  isReady(): boolean {
    return this.view.isReady();
  }

  ready(signal?: AbortSignal): Promise<void> {
    return this.view.ready(signal);
  }

  /** This process owns the tenant now (it is the one that refreshes, and warns through the audit trail). */
  isOwner(tenantId: string): boolean {
    return !!this.ownership?.isOwner(tenantId);
  }

  /**
   * The latest token set: the topic's record, else the tenants file's bootstrap refresh token (generation 0);
   * nothing before the view has been read (a restarted process must not act on the file's long-spent token).
   */
  current(tenantId: string): X3TokenSet | undefined {
    if (!this.view.isReady()) return undefined;
    const stored = this.view.get(tenantId);
    if (stored) return { ...stored };
    const boot = this.bootstrap(tenantId);
    return boot ? { ...boot } : undefined;
  }

  /** The generation a save must be based on (undefined: nothing at all, not even a bootstrap token). */
  generation(tenantId: string): number | undefined {
    return this.current(tenantId)?.generation;
  }

  /**
   * True when this process owns the tenant, past the hand-over grace, and has read the topic to its end since it
   * became the owner. The read is started here on first need (a lazy sync), so a new owner refreshes only with the
   * token its predecessor saved last.
   */
  mayRefresh(tenantId: string): boolean {
    if (!this.ownership || !this.view.isReady()) return false;
    if (!this.ownership.isOwner(tenantId)) {
      this.synced.delete(tenantId);
      return false;
    }
    if (this.synced.has(tenantId)) return true;
    if (!this.syncing.has(tenantId)) {
      this.syncing.add(tenantId);
      this.view
        .sync()
        .then(() => {
          if (this.ownership?.isOwner(tenantId)) this.synced.add(tenantId);
          this.wake();
        })
        .catch((e: unknown) => this.logger.warn({ msg: 'credentials view not synced; retried', err: e as Error }))
        .finally(() => this.syncing.delete(tenantId));
    }
    return false;
  }

  /** Compare-and-set on the generation this process knows, then published (acks=all) and applied locally. */
  async save(tenantId: string, next: X3TokenSet, previousGeneration: number | undefined): Promise<void> {
    const actual = this.generation(tenantId);
    if (actual !== previousGeneration || next.generation <= (actual ?? -1))
      throw new X3CredentialConflictError(previousGeneration, actual);
    const payload = this.codec.encode(tenantId, next, this.writer());
    await this.view.put(
      tenantId,
      createEnvelope({ type: X3_CREDENTIALS, tenant: tenantId, source: this.source, payload }),
    );
  }

  /**
   * A refresh token an X3 user just approved (the tenant CLI): saved as the next generation on top of whatever the
   * topic holds, so every process switches to it without a restart. The owner's next refresh redeems it.
   */
  async seed(tenantId: string, refreshToken: string, expiresAt?: Date, now = Date.now()): Promise<X3TokenSet> {
    if (!this.tenants.has(tenantId))
      throw new Error(`tenant ${tenantId} does not use the OAuth2 refresh_token grant: nothing to seed`);
    await this.view.ready();
    await this.view.sync();
    const previous = this.generation(tenantId);
    const exp = expiresAt?.getTime() ?? (jwtExpiry(refreshToken) ?? NaN) * 1000;
    const next: X3TokenSet = {
      refreshToken,
      generation: (previous ?? 0) + 1,
      updatedAt: now,
      ...(Number.isFinite(exp)
        ? { refreshTokenExpiresAt: exp, refreshTokenExpirySource: expiresAt ? ('seeded' as const) : ('jwt' as const) }
        : {}),
    };
    await this.save(tenantId, next, previous);
    return next;
  }

  waitForNewer(tenantId: string, generation: number | undefined, timeoutMs: number): Promise<X3TokenSet | undefined> {
    const newer = (): X3TokenSet | undefined => {
      const t = this.current(tenantId);
      return t && (generation === undefined || t.generation > generation) ? t : undefined;
    };
    const now = newer();
    if (now || timeoutMs <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (value: X3TokenSet | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const found = newer();
        if (found) done(found);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.waiters.add(wake);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private writer(): string {
    return this.source === 'poster' ? 'x3-poster' : this.source === 'poller' ? 'x3-poller' : 'tenant-cli';
  }

  private bootstrap(tenantId: string): X3TokenSet | undefined {
    if (this.bootstraps.has(tenantId)) return this.bootstraps.get(tenantId);
    const auth = this.tenants.get(tenantId)?.sageX3.auth;
    let set: X3TokenSet | undefined;
    if (auth?.mode === 'oauth2' && auth.refreshToken) {
      const token = auth.refreshToken.reveal();
      const given = auth.refreshTokenExpiresAt ? Date.parse(auth.refreshTokenExpiresAt) : NaN;
      const exp = jwtExpiry(token);
      set = {
        refreshToken: token,
        generation: 0,
        updatedAt: 0,
        ...(Number.isFinite(given)
          ? { refreshTokenExpiresAt: given, refreshTokenExpirySource: 'seeded' as const }
          : exp !== undefined
            ? { refreshTokenExpiresAt: exp * 1000, refreshTokenExpirySource: 'jwt' as const }
            : {}),
      };
    }
    this.bootstraps.set(tenantId, set);
    return set;
  }

  /** Decrypted tokens never reach a log; spent generations are forgotten so the redactor's set stays small. */
  private redact(tenantId: string, set: X3TokenSet): void {
    const list = this.redacted.get(tenantId) ?? [];
    for (const v of [set.accessToken, set.refreshToken]) {
      if (!v || list.includes(v)) continue;
      Redactor.register(v);
      list.push(v);
    }
    while (list.length > REDACTED_GENERATIONS * 2) Redactor.unregister(list.shift());
    this.redacted.set(tenantId, list);
  }
}
