/**
 * The OAuth2 token set of one tenant and who may renew it. X3 rotates refresh tokens on use (the old one is spent,
 * reusing it may revoke the chain), so every process of a tenant must read the same current token set and only one
 * of them may refresh at a time. The client defines the interface; the apps back it with shared state (a compacted
 * Kafka topic and tenant ownership); the in-memory store below is the single-process default.
 */
export interface X3TokenSet {
  accessToken?: string;
  /** Epoch ms. */
  accessTokenExpiresAt?: number;
  refreshToken?: string;
  /** Epoch ms; undefined when unknown. */
  refreshTokenExpiresAt?: number;
  /** Where the refresh-token expiry came from. */
  refreshTokenExpirySource?: 'response' | 'jwt' | 'configured' | 'seeded';
  /** Increases by one with every saved change; a save based on an older generation is refused. */
  generation: number;
  /** When this set was saved (epoch ms, by the saver's clock). */
  updatedAt: number;
}

export interface X3CredentialStore {
  /** The latest token set known to this process (undefined before the first token). */
  current(): X3TokenSet | undefined;
  /** Whether this process is the one allowed to call the token endpoint now (e.g. the tenant's owner). */
  mayRefresh(): boolean;
  /**
   * Persists `next` (whose generation is previousGeneration + 1) if the stored set is still at previousGeneration
   * (undefined = nothing stored yet); otherwise rejects with X3CredentialConflictError. Resolves once durable.
   */
  save(next: X3TokenSet, previousGeneration: number | undefined): Promise<void>;
  /** Resolves with the first set newer than `generation` (at once if one is there), or undefined after timeoutMs. */
  waitForNewer(generation: number | undefined, timeoutMs: number): Promise<X3TokenSet | undefined>;
}

/** A save raced with another writer (a second refresher, or a freshly seeded refresh token). */
export class X3CredentialConflictError extends Error {
  constructor(
    readonly expectedGeneration: number | undefined,
    readonly actualGeneration: number | undefined,
  ) {
    super(
      `credential store holds generation ${actualGeneration ?? 'none'}, the save was based on ${expectedGeneration ?? 'none'}`,
    );
    this.name = 'X3CredentialConflictError';
  }
}

interface SharedState {
  tokens?: X3TokenSet;
  waiters: Set<() => void>;
}

/**
 * In-memory store: the default for one process per tenant (always may refresh). `forProcess()` gives another view
 * of the same state with its own permission, which is how tests (and a single-process deployment with several
 * clients per tenant) model "one refresher, others wait".
 */
export class InMemoryX3CredentialStore implements X3CredentialStore {
  private readonly state: SharedState;

  constructor(
    initial?: X3TokenSet,
    private readonly permission: () => boolean = () => true,
    shared?: SharedState,
  ) {
    this.state = shared ?? { tokens: initial ? { ...initial } : undefined, waiters: new Set() };
  }

  /** A view of the same token set for another process, with its own right to refresh. */
  forProcess(mayRefresh: () => boolean): InMemoryX3CredentialStore {
    return new InMemoryX3CredentialStore(undefined, mayRefresh, this.state);
  }

  current(): X3TokenSet | undefined {
    return this.state.tokens ? { ...this.state.tokens } : undefined;
  }

  mayRefresh(): boolean {
    return this.permission();
  }

  async save(next: X3TokenSet, previousGeneration: number | undefined): Promise<void> {
    const actual = this.state.tokens?.generation;
    if (actual !== previousGeneration) throw new X3CredentialConflictError(previousGeneration, actual);
    if (next.generation <= (actual ?? -1)) throw new X3CredentialConflictError(previousGeneration, actual);
    this.state.tokens = { ...next };
    for (const wake of [...this.state.waiters]) wake();
  }

  /** What the tenant CLI does after an X3 user re-approved the app: a new refresh token, next generation. */
  async seed(refreshToken: string, refreshTokenExpiresAt?: Date, now = Date.now()): Promise<X3TokenSet> {
    const previous = this.state.tokens?.generation;
    const next: X3TokenSet = {
      refreshToken,
      refreshTokenExpiresAt: refreshTokenExpiresAt?.getTime(),
      refreshTokenExpirySource: refreshTokenExpiresAt ? 'seeded' : undefined,
      generation: (previous ?? 0) + 1,
      updatedAt: now,
    };
    await this.save(next, previous);
    return next;
  }

  waitForNewer(generation: number | undefined, timeoutMs: number): Promise<X3TokenSet | undefined> {
    const newer = (): X3TokenSet | undefined => {
      const t = this.state.tokens;
      return t && (generation === undefined || t.generation > generation) ? { ...t } : undefined;
    };
    const ready = newer();
    if (ready || timeoutMs <= 0) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const done = (value: X3TokenSet | undefined): void => {
        clearTimeout(timer);
        this.state.waiters.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const found = newer();
        if (found) done(found);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.state.waiters.add(wake);
    });
  }
}
