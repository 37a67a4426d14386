import { AuthProvider } from './auth/auth-provider';
import { BasicAuthProvider } from './auth/basic-auth.provider';
import { JwtTokenProvider } from './auth/jwt-token.provider';
import { OAuth2TokenProvider } from './auth/oauth2-token.provider';
import { realSleep, Sleep } from './clock';
import { buildConnectionQuery } from './graphql-queries';
import { describe, HttpResponse, HttpTransport } from './http-transport';
import {
  resolveSageX3Config,
  ResolvedSageX3Config,
  SageX3AuthConfig,
  SageX3ClientConfig,
  X3EntityConfig,
  X3EntityName,
} from './sage-x3.config';
import {
  AuthenticationError,
  isTransientX3Error,
  normalizeSeverity,
  X3ConfigError,
  X3Diagnosis,
  X3DiagnosesError,
  X3Error,
  X3GraphqlError,
  X3GraphqlErrorEntry,
  X3HttpError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3ProtocolError,
} from './sage-x3.errors';
import { joinKey, keySegment, sdataDateTime, sdataString } from './sdata-query';

/** A resource as api1 returns it: X3 field codes plus `$uuid`, `$key`, `$etag`, `$url`... Narrow before use. */
export type X3Resource = Record<string, unknown>;

/** A logical entity name, or an ad-hoc class for anything not in the entity map. */
export type X3EntityRef = X3EntityName | (Partial<X3EntityConfig> & { className: string });

export interface X3QueryOptions {
  where?: string;
  orderBy?: string;
  /** Page size (`count`). Defaults to the client's defaultPageSize (20). */
  count?: number;
  /** Start after this key (`key=gt.`), e.g. to resume a previous scan. */
  afterKey?: string;
  /** Stop after this many resources. */
  maxRecords?: number;
  /** Representation facet override (default `$query`). */
  facet?: string;
}

export interface X3Page {
  resources: X3Resource[];
  /** `$links.$next.$url`, absent on the last page. */
  nextUrl?: string;
}

export interface X3CreateResponse {
  resource: X3Resource;
  /** The `Location` header (URL of the created resource). */
  location?: string;
}

export type X3IdempotentCreateOutcome =
  /** Created by this call. */
  | 'created'
  /** The document with this reference already existed before the first POST (earlier run/redelivery). */
  | 'already-existed'
  /** A POST's outcome was unknown (timeout, lost response, 5xx) and the lookup found it committed. */
  | 'recovered';

export interface X3IdempotentCreateResult {
  resource: X3Resource;
  outcome: X3IdempotentCreateOutcome;
  /** Number of POSTs sent. */
  posts: number;
  location?: string;
}

export interface X3GraphqlConnectionOptions {
  /** Path to the connection object in `data`, e.g. ['x3MasterData', 'businessPartner', 'query']. */
  path: string[];
  variables?: Record<string, unknown>;
  /** `first` per page. Default: defaultPageSize. */
  pageSize?: number;
  maxRecords?: number;
}

type JsonObject = Record<string, unknown>;

/**
 * Sage X3 client for one tenant (one server + folder + credentials). api1 REST for reads and creates,
 * GraphQL (Xtrem) for reads and the writable nodes. Idempotent reads are retried on transient failures;
 * creates are never blindly re-sent (see createIdempotent).
 */
export class SageX3Client {
  readonly config: ResolvedSageX3Config;
  private readonly transport: HttpTransport;
  private readonly auth: AuthProvider;
  private readonly api1AuthProvider: AuthProvider;
  private readonly sleep: Sleep;

  constructor(config: SageX3ClientConfig) {
    this.config = resolveSageX3Config(config);
    this.sleep = config.sleep ?? realSleep;
    this.transport = new HttpTransport({ caPem: this.config.caPem, maxSockets: this.config.maxSockets });
    this.auth = this.createAuthProvider(this.config.auth);
    this.api1AuthProvider = this.config.api1Auth ? this.createAuthProvider(this.config.api1Auth) : this.auth;
  }

  private createAuthProvider(auth: SageX3AuthConfig): AuthProvider {
    return auth.mode === 'basic'
      ? new BasicAuthProvider(auth)
      : auth.mode === 'oauth2'
        ? new OAuth2TokenProvider(auth, {
            transport: this.transport,
            clock: this.config.clock,
            logger: this.config.logger,
            hooks: this.config.hooks,
            timeoutMs: this.config.timeouts.tokenMs,
          })
        : new JwtTokenProvider(auth, this.config.clock, this.config.hooks);
  }

  get folder(): string {
    return this.config.folder;
  }

  /** OAuth2 refresh-token expiry (for a "days until re-authorisation" gauge); undefined in other modes or when unknown. */
  getRefreshTokenExpiresAt(): Date | undefined {
    for (const provider of [this.auth, this.api1AuthProvider]) {
      if (provider instanceof OAuth2TokenProvider) return provider.getRefreshTokenExpiresAt();
    }
    return undefined;
  }

  entityConfig(entity: X3EntityRef): X3EntityConfig {
    if (typeof entity === 'string') {
      const found = this.config.entities[entity];
      if (!found) throw new X3ConfigError(`Unknown Sage X3 entity '${entity}'`);
      return found;
    }
    return {
      representation: entity.className,
      keyFields: [],
      referenceField: 'REF',
      updateStampField: 'UPDDATTIM',
      createStampField: 'CREDATTIM',
      ...entity,
    };
  }

  // ---------------------------------------------------------------- api1

  /** All resources matching the query, following `$links.$next.$url` until absent. */
  async *query(entity: X3EntityRef, options: X3QueryOptions = {}): AsyncGenerator<X3Resource> {
    let yielded = 0;
    for await (const page of this.queryPages(entity, options)) {
      for (const resource of page.resources) {
        if (options.maxRecords !== undefined && yielded >= options.maxRecords) return;
        yielded++;
        yield resource;
      }
      if (options.maxRecords !== undefined && yielded >= options.maxRecords) return;
    }
  }

  /** Raw pages, for callers that checkpoint per page. */
  async *queryPages(entity: X3EntityRef, options: X3QueryOptions = {}): AsyncGenerator<X3Page> {
    const cfg = this.entityConfig(entity);
    const count = options.count ?? this.config.defaultPageSize;
    if (!Number.isInteger(count) || count < 1) throw new X3ConfigError('count must be a positive integer');
    let url: URL | undefined = this.classUrl(cfg.className);
    url.searchParams.set('representation', `${cfg.representation}.${options.facet ?? '$query'}`);
    if (options.where) url.searchParams.set('where', options.where);
    if (options.orderBy) url.searchParams.set('orderBy', options.orderBy);
    url.searchParams.set('count', String(count));
    if (options.afterKey !== undefined) url.searchParams.set('key', `gt.${options.afterKey}`);
    const visited = new Set<string>();
    while (url) {
      visited.add(url.href);
      const requestUrl: URL = url;
      const body = await this.withRetry('api1', async () =>
        this.expectJson(await this.exchange('api1', 'GET', requestUrl), 'GET', cfg.className),
      );
      const resources = body['$resources'];
      if (!Array.isArray(resources))
        throw new X3ProtocolError(`Sage X3 ${cfg.className} query answered without $resources`);
      const next = nextLink(body);
      yield { resources: resources.filter(isObject), nextUrl: next };
      if (!next) return;
      url = this.rebase(next);
      if (visited.has(url.href))
        throw new X3ProtocolError(`Sage X3 ${cfg.className} query: $next link repeats a page already read`);
    }
  }

  /** Resources whose update stamp is >= since, oldest first (key as tie-breaker). */
  queryChangedSince(
    entity: X3EntityRef,
    since: Date,
    options: Omit<X3QueryOptions, 'orderBy'> = {},
  ): AsyncGenerator<X3Resource> {
    const cfg = this.entityConfig(entity);
    const changed = `${cfg.updateStampField} ge ${sdataDateTime(since)}`;
    return this.query(entity, {
      ...options,
      where: options.where ? `(${changed}) and (${options.where})` : changed,
      orderBy: [`${cfg.updateStampField} asc`, ...cfg.keyFields.map((k) => `${k} asc`)].join(', '),
    });
  }

  /** `CLASS('KEY')?representation=R.$details`. A composite key may be given as parts (joined with `~`). */
  async details(entity: X3EntityRef, key: string | Array<string | number>): Promise<X3Resource> {
    const cfg = this.entityConfig(entity);
    const keyText = Array.isArray(key) ? joinKey(key) : key;
    const url = this.classUrl(keySegment(cfg.className, keyText));
    url.searchParams.set('representation', `${cfg.representation}.$details`);
    return this.withRetry('api1', async () =>
      this.expectJson(await this.exchange('api1', 'GET', url), 'GET', cfg.className),
    );
  }

  /** `$template` of the `$create` facet: default values X3 would apply. */
  async template(entity: X3EntityRef): Promise<X3Resource> {
    const cfg = this.entityConfig(entity);
    const url = this.classUrl(`${cfg.className}/$template`);
    url.searchParams.set('representation', `${cfg.representation}.$create`);
    return this.withRetry('api1', async () =>
      this.expectJson(await this.exchange('api1', 'GET', url), 'GET', cfg.className),
    );
  }

  /**
   * One POST to `$create`. Not retried: a transient failure may hide a committed document.
   * Prefer createIdempotent for anything carrying an external reference.
   */
  async create(entity: X3EntityRef, body: X3Resource): Promise<X3CreateResponse> {
    const cfg = this.entityConfig(entity);
    const url = this.classUrl(cfg.className);
    url.searchParams.set('representation', `${cfg.representation}.$create`);
    const res = await this.exchange('api1', 'POST', url, JSON.stringify(body));
    if (res.status < 200 || res.status >= 300) throw this.api1Error(res, 'POST', cfg.className);
    if (res.status !== 201) {
      throw new X3ProtocolError(`Sage X3 POST ${cfg.className} answered HTTP ${res.status} instead of 201`, {
        status: res.status,
        transient: true,
        outcomeUnknown: true,
      });
    }
    const location = headerValue(res.headers['location']);
    if (!location) this.config.logger.warn(`Sage X3 POST ${cfg.className} answered 201 without a Location header`);
    let resource = parseJsonObject(res.body);
    if (!resource && location)
      resource = await this.withRetry('api1', async () =>
        this.expectJson(await this.exchange('api1', 'GET', this.rebase(location)), 'GET', cfg.className),
      );
    if (!resource)
      throw new X3ProtocolError(`Sage X3 POST ${cfg.className} answered 201 without the created resource`, {
        status: 201,
      });
    return { resource, location };
  }

  /**
   * The document carrying this external reference (`where=REF eq '...'`), with its details; null if none.
   * Several matches are logged (X3 does not enforce unique references) and the first is returned.
   */
  async findByReference(
    entity: X3EntityRef,
    externalRef: string,
    options: { details?: boolean } = {},
  ): Promise<X3Resource | null> {
    const cfg = this.entityConfig(entity);
    const matches: X3Resource[] = [];
    for await (const r of this.query(entity, {
      where: `${cfg.referenceField} eq ${sdataString(externalRef)}`,
      count: 2,
      maxRecords: 2,
    })) {
      matches.push(r);
    }
    if (!matches.length) return null;
    if (matches.length > 1) {
      this.config.logger.warn(`Several Sage X3 ${cfg.className} documents carry the same external reference`, {
        className: cfg.className,
        referenceField: cfg.referenceField,
      });
    }
    if (options.details === false) return matches[0];
    const key = this.resourceKey(cfg, matches[0]);
    return key === undefined ? matches[0] : this.details(entity, key);
  }

  /**
   * Creates the document unless one with this external reference exists. Before the first POST it looks the
   * reference up (covers redelivered messages); after a failure whose outcome is unknown (timeout, lost
   * response, generic 5xx) it looks up again before any new POST, so a committed document is never duplicated.
   * Failures known not to have been applied (pool exhausted, 503, 429) are re-posted after backoff.
   * Business-rule rejections (X3DiagnosesError) are thrown at once.
   */
  async createIdempotent(
    entity: X3EntityRef,
    externalRef: string,
    body: X3Resource,
    options: { lookupFirst?: boolean; maxPosts?: number } = {},
  ): Promise<X3IdempotentCreateResult> {
    const cfg = this.entityConfig(entity);
    if (!externalRef) throw new X3ConfigError('createIdempotent needs a non-empty external reference');
    const existingRef = body[cfg.referenceField];
    if (existingRef !== undefined && existingRef !== externalRef) {
      throw new X3ConfigError(`createIdempotent: body.${cfg.referenceField} differs from the external reference`);
    }
    const payload = { ...body, [cfg.referenceField]: externalRef };
    if (options.lookupFirst ?? true) {
      const found = await this.findByReference(entity, externalRef);
      if (found) return { resource: found, outcome: 'already-existed', posts: 0 };
    }
    const maxPosts = options.maxPosts ?? this.config.retry.maxAttempts;
    for (let post = 1; ; post++) {
      try {
        const created = await this.create(entity, payload);
        return { resource: created.resource, location: created.location, outcome: 'created', posts: post };
      } catch (error) {
        if (!isTransientX3Error(error)) throw error;
        const x3Error = error as X3Error;
        if (x3Error.outcomeUnknown) {
          await this.sleep(this.config.createRecoverySettleMs);
          const found = await this.findByReference(entity, externalRef);
          if (found) {
            this.config.logger.warn(
              `Sage X3 ${cfg.className} create had an unknown outcome; found it committed by reference`,
              {
                className: cfg.className,
                error: x3Error.name,
              },
            );
            this.config.hooks.onCreateRecovered?.({ className: cfg.className, outcome: 'recovered' });
            return { resource: found, outcome: 'recovered', posts: post };
          }
        }
        if (post >= maxPosts) throw error;
        const delayMs = this.backoff(post);
        this.config.hooks.onRetry?.({ surface: 'api1', attempt: post, delayMs, errorName: x3Error.name });
        await this.sleep(delayMs);
      }
    }
  }

  // ---------------------------------------------------------------- GraphQL

  /**
   * Runs a GraphQL operation against `/xtrem/api`. Queries are retried on transient failures; mutations are not.
   * `errors[].extensions.diagnoses` become X3DiagnosesError, other errors X3GraphqlError.
   */
  async graphql<T = JsonObject>(query: string, variables?: Record<string, unknown>): Promise<T> {
    if (this.auth.mode === 'basic') {
      throw new X3ConfigError(
        'The Sage X3 GraphQL API needs a Bearer token: configure oauth2 or jwt auth for this tenant',
      );
    }
    const isMutation = /^\s*mutation\b/.test(query.replace(/^\s*#.*$/gm, ''));
    const url = new URL(this.config.graphqlPath.replace(/^\//, ''), this.config.baseUrl);
    const run = async (): Promise<T> => {
      const res = await this.exchange('graphql', 'POST', url, JSON.stringify({ query, variables: variables ?? {} }), {
        'x-xtrem-endpoint': this.config.folder,
      });
      return this.graphqlResult<T>(res, isMutation);
    };
    return isMutation ? run() : this.withRetry('graphql', run);
  }

  /** Pages through a connection (`edges/pageInfo`), passing `first`/`after` variables; yields nodes. */
  async *graphqlConnection<TNode = JsonObject>(
    query: string,
    options: X3GraphqlConnectionOptions,
  ): AsyncGenerator<TNode> {
    const pageSize = options.pageSize ?? this.config.defaultPageSize;
    let after: unknown = options.variables?.['after'] ?? null;
    const seen = new Set<string>();
    let yielded = 0;
    for (;;) {
      const data = await this.graphql<JsonObject>(query, { ...options.variables, first: pageSize, after });
      const connection = dig(data, options.path);
      const edges = isObject(connection) ? connection['edges'] : undefined;
      const pageInfo = isObject(connection) ? connection['pageInfo'] : undefined;
      if (!Array.isArray(edges) || !isObject(pageInfo)) {
        throw new X3ProtocolError(`Sage X3 GraphQL: no connection (edges/pageInfo) at ${options.path.join('.')}`);
      }
      for (const edge of edges) {
        if (options.maxRecords !== undefined && yielded >= options.maxRecords) return;
        if (isObject(edge) && isObject(edge['node'])) {
          yielded++;
          yield edge['node'] as TNode;
        }
      }
      if (pageInfo['hasNextPage'] !== true) return;
      const endCursor = pageInfo['endCursor'];
      if (typeof endCursor !== 'string' || !endCursor || seen.has(endCursor)) {
        throw new X3ProtocolError('Sage X3 GraphQL: hasNextPage without a new endCursor');
      }
      seen.add(endCursor);
      after = endCursor;
    }
  }

  /** Convenience over graphqlConnection + buildConnectionQuery. `filter`/`orderBy` are Xtrem filter strings. */
  graphqlQueryAll<TNode = JsonObject>(
    domain: string,
    entity: string,
    selection: string,
    options: { filter?: string; orderBy?: string; pageSize?: number; maxRecords?: number } = {},
  ): AsyncGenerator<TNode> {
    return this.graphqlConnection<TNode>(buildConnectionQuery(domain, entity, selection), {
      path: [domain, entity, 'query'],
      variables: { filter: options.filter ?? null, orderBy: options.orderBy ?? null },
      pageSize: options.pageSize,
      maxRecords: options.maxRecords,
    });
  }

  /** Releases pooled connections. */
  close(): void {
    this.transport.close();
  }

  // ---------------------------------------------------------------- plumbing

  private classUrl(segment: string): URL {
    return new URL(`api1/x3/erp/${encodeURIComponent(this.config.folder)}/${segment}`, this.config.baseUrl);
  }

  /**
   * `$next` links are followed on the configured server only: a proxy may rewrite the host X3 sees, and
   * credentials must never go to another origin.
   */
  private rebase(link: string): URL {
    const parsed = new URL(link, this.config.baseUrl);
    if (parsed.origin === this.config.baseUrl.origin) return parsed;
    return new URL(parsed.pathname.replace(/^\//, '') + parsed.search, new URL('/', this.config.baseUrl));
  }

  private resourceKey(cfg: X3EntityConfig, resource: X3Resource): string | undefined {
    const key = resource['$key'];
    if (typeof key === 'string' && key) return key;
    if (!cfg.keyFields.length) return undefined;
    const parts = cfg.keyFields.map((f) => resource[f]);
    if (parts.some((p) => typeof p !== 'string' && typeof p !== 'number')) return undefined;
    return joinKey(parts as Array<string | number>);
  }

  /** Sends with auth; on 401 lets the provider refresh once and retries once, then AuthenticationError. */
  private async exchange(
    surface: 'api1' | 'graphql',
    method: string,
    url: URL,
    body?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpResponse> {
    const auth = surface === 'api1' ? this.api1AuthProvider : this.auth;
    for (let authAttempt = 0; ; authAttempt++) {
      const authorization = await auth.authorization();
      const headers: Record<string, string> = { accept: 'application/json', authorization, ...extraHeaders };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (surface === 'api1' && this.config.statelessHeader) headers['x-requested-with'] = 'stateless';
      const started = Date.now();
      let res: HttpResponse;
      try {
        res = await this.transport.request({ method, url, headers, body, timeoutMs: this.config.timeouts.requestMs });
      } catch (error) {
        this.config.hooks.onRequest?.({
          surface,
          method,
          durationMs: Date.now() - started,
          errorName: error instanceof Error ? error.name : 'Error',
        });
        throw error;
      }
      this.config.hooks.onRequest?.({ surface, method, status: res.status, durationMs: Date.now() - started });
      if (res.status !== 401) return res;
      this.config.hooks.onUnauthorized?.({ surface });
      if (authAttempt === 0 && auth.handleUnauthorized(authorization)) {
        this.config.logger.warn(
          `Sage X3 answered 401 to ${method} ${describe(url)}; renewing the token and retrying once`,
        );
        continue;
      }
      throw new AuthenticationError(
        `Sage X3 rejected the ${auth.describe()} for folder '${this.config.folder}' (HTTP 401 on ${surface}): check the credentials`,
        401,
      );
    }
  }

  private async withRetry<T>(surface: 'api1' | 'graphql', fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransientX3Error(error) || attempt >= this.config.retry.maxAttempts) throw error;
        const delayMs = this.backoff(attempt);
        this.config.hooks.onRetry?.({ surface, attempt, delayMs, errorName: (error as Error).name });
        this.config.logger.debug?.(`Sage X3 ${surface} transient failure, retrying`, {
          attempt,
          delayMs,
          error: (error as Error).message,
        });
        await this.sleep(delayMs);
      }
    }
  }

  /** Exponential backoff with jitter in [50%, 100%] of the capped delay. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.config.retry;
    const capped = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(capped * (0.5 + Math.random() * 0.5));
  }

  private expectJson(res: HttpResponse, method: string, what: string): JsonObject {
    if (res.status < 200 || res.status >= 300) throw this.api1Error(res, method, what);
    const body = parseJsonObject(res.body);
    if (!body)
      throw new X3ProtocolError(`Sage X3 ${method} ${what}: answer is not a JSON object`, { status: res.status });
    return body;
  }

  private api1Error(res: HttpResponse, method: string, what: string): X3Error {
    const body = parseJson(res.body);
    const diagnoses = collectSdataDiagnoses(body);
    const status = res.status;
    const context = `Sage X3 ${method} ${what} (HTTP ${status})`;
    const text = diagnoses
      .map((d) => d.message)
      .filter(Boolean)
      .join('; ');
    if (status >= 500 && diagnoses.some((d) => /no web services? accepted/i.test(d.message))) {
      return new X3PoolExhaustedError(`${context}: web-service pool exhausted (${text})`, diagnoses, status);
    }
    if (status === 404) return new X3NotFoundError(`${context}: ${text || 'not found'}`, diagnoses);
    const transient = status >= 500 || status === 429 || status === 408;
    // 503/429 are refusals before processing; other 5xx on a write may have been applied.
    const outcomeUnknown = method !== 'GET' && transient && status !== 503 && status !== 429;
    if (diagnoses.length)
      return new X3DiagnosesError(`${context}: ${text}`, diagnoses, { transient, outcomeUnknown, status });
    return new X3HttpError(`${context}`, { transient, outcomeUnknown, status, bodySnippet: res.body.slice(0, 300) });
  }

  private graphqlResult<T>(res: HttpResponse, isMutation: boolean): T {
    const op = isMutation ? 'mutation' : 'query';
    const body = parseJsonObject(res.body);
    const status = res.status;
    if (status >= 500 || status === 429) {
      const message = typeof body?.['$message'] === 'string' && body['$message'] ? `: ${body['$message']}` : '';
      return throwing(
        new X3HttpError(`Sage X3 GraphQL ${op} failed (HTTP ${status})${message}`, {
          transient: true,
          outcomeUnknown: isMutation && status !== 503 && status !== 429,
          status,
          bodySnippet: res.body.slice(0, 300),
        }),
      );
    }
    const rawErrors = body?.['errors'];
    if (Array.isArray(rawErrors) && rawErrors.length) {
      const errors: X3GraphqlErrorEntry[] = [];
      const diagnoses: X3Diagnosis[] = [];
      for (const e of rawErrors) {
        if (!isObject(e)) continue;
        const extensions = isObject(e['extensions']) ? e['extensions'] : {};
        const entry: X3GraphqlErrorEntry = {
          message: typeof e['message'] === 'string' ? e['message'] : 'GraphQL error',
          path: Array.isArray(e['path']) ? (e['path'] as Array<string | number>) : undefined,
          code: typeof extensions['code'] === 'string' ? extensions['code'] : undefined,
        };
        errors.push(entry);
        if (Array.isArray(extensions['diagnoses'])) {
          for (const d of extensions['diagnoses']) {
            if (!isObject(d)) continue;
            diagnoses.push({
              severity: normalizeSeverity(d['severity']),
              message: typeof d['message'] === 'string' ? d['message'] : entry.message,
              code: entry.code,
              path: Array.isArray(d['path']) ? d['path'].map(String) : undefined,
            });
          }
        }
      }
      if (diagnoses.length) {
        return throwing(
          new X3DiagnosesError(
            `Sage X3 GraphQL ${op} rejected: ${diagnoses.map((d) => d.message).join('; ')}`,
            diagnoses,
            {
              transient: false,
              status,
            },
          ),
        );
      }
      return throwing(
        new X3GraphqlError(
          `Sage X3 GraphQL ${op} failed (HTTP ${status}): ${errors.map((e) => e.message).join('; ')}`,
          errors,
          {
            transient: false,
            status,
          },
        ),
      );
    }
    if (status !== 200) {
      return throwing(
        new X3HttpError(`Sage X3 GraphQL ${op} failed (HTTP ${status})`, {
          transient: false,
          status,
          bodySnippet: res.body.slice(0, 300),
        }),
      );
    }
    const data = body?.['data'];
    if (!isObject(data)) throw new X3ProtocolError(`Sage X3 GraphQL ${op}: answer has no data`, { status });
    return data as T;
  }
}

export function createSageX3Client(config: SageX3ClientConfig): SageX3Client {
  return new SageX3Client(config);
}

function throwing(error: Error): never {
  throw error;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string): JsonObject | undefined {
  const value = parseJson(text);
  return isObject(value) ? value : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function nextLink(body: JsonObject): string | undefined {
  const links = body['$links'];
  const next = isObject(links) ? links['$next'] : undefined;
  const url = isObject(next) ? next['$url'] : undefined;
  return typeof url === 'string' && url ? url : undefined;
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

/** `$diagnoses` at the root and on nested objects/lines (X3 reports line-level errors there too). */
export function collectSdataDiagnoses(body: unknown, depth = 0, out: X3Diagnosis[] = []): X3Diagnosis[] {
  if (depth > 4 || body === null || typeof body !== 'object') return out;
  if (Array.isArray(body)) {
    for (const item of body) collectSdataDiagnoses(item, depth + 1, out);
    return out;
  }
  const obj = body as JsonObject;
  const list = obj['$diagnoses'];
  if (Array.isArray(list)) {
    for (const d of list) {
      if (!isObject(d)) continue;
      out.push({
        severity: normalizeSeverity(d['$severity']),
        message: typeof d['$message'] === 'string' ? d['$message'] : '',
        code: typeof d['$sdataCode'] === 'string' ? d['$sdataCode'] : undefined,
      });
    }
  }
  for (const [k, v] of Object.entries(obj))
    if (k !== '$diagnoses' && typeof v === 'object') collectSdataDiagnoses(v, depth + 1, out);
  return out;
}
