import { backoffDelayMs, retryAsync } from '@connector/util';
import { AuthProvider } from './auth/auth-provider';
import { BasicAuthProvider } from './auth/basic-auth.provider';
import { JwtTokenProvider } from './auth/jwt-token.provider';
import { OAuth2TokenProvider, X3CredentialsStatus } from './auth/oauth2-token.provider';
import { realSleep, Sleep } from './clock';
import { describe as describeUrl, HttpResponse, HttpTransport } from './http-transport';
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
  X3ErrorKind,
  X3GraphqlError,
  X3GraphqlErrorEntry,
  X3HttpError,
  X3NotFoundError,
  X3PoolExhaustedError,
  X3ProtocolError,
} from './sage-x3.errors';
import { joinKey, keySegment, sdataDateTime, sdataLiteral } from './sdata-query';
import { classifyX3Answer, POOL_EXHAUSTED } from './x3-answer.classifier';
import {
  parseX3Prototype,
  templateFields,
  verifyRepresentation,
  X3Facet,
  X3FieldVerification,
  X3RepresentationDescription,
} from './x3-representation';

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

export interface X3CreateResponse {
  resource: X3Resource;
  /** The `Location` header (URL of the created resource). */
  location?: string;
}

export type X3IdempotentCreateOutcome =
  /** Created by this call. */
  | 'created'
  /** A document with these lookup values already existed before the first POST (earlier run/redelivery). */
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

export interface X3CreateOptions {
  /** Look the document up before the first POST (default true). */
  lookupFirst?: boolean;
  /** POSTs allowed for failures known not to be applied (default: retry.maxAttempts). */
  maxPosts?: number;
}

export interface X3VerifyOptions {
  /**
   * Values the connector will write, to check against the fields' maximum lengths: keyed by logical name
   * (`reference`, `lines.description`) or X3 code (`REF`, `GACCENTRYD.DES`). Pass the longest you expect.
   */
  values?: Record<string, string | number>;
  /** A description already read (e.g. by a `check` that verifies several things); read from X3 otherwise. */
  description?: X3RepresentationDescription;
}

type JsonObject = Record<string, unknown>;

/**
 * Sage X3 client for one tenant (one server + folder + credentials). api1 REST for reads and creates, GraphQL
 * (Xtrem) for on-premise connected applications. Every failure is an X3Error whose `kind` says what to do (see
 * classifyX3Answer); idempotent reads are retried on `transient`, creates are never blindly re-sent.
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

  // ---------------------------------------------------------------- credentials

  private oauth2(): OAuth2TokenProvider | undefined {
    for (const provider of [this.auth, this.api1AuthProvider]) {
      if (provider instanceof OAuth2TokenProvider) return provider;
    }
    return undefined;
  }

  /** OAuth2 token-set status (expiries, generation, whether this process may refresh); undefined in other modes. */
  credentialsStatus(): X3CredentialsStatus | undefined {
    return this.oauth2()?.status();
  }

  /**
   * For the refresher's scheduler (the tenant's owner): renews the OAuth2 token when it is within the refresh
   * margin, so processes that only read the shared token never run out while this one is idle.
   */
  async refreshCredentialsIfDue(): Promise<boolean> {
    return (await this.oauth2()?.refreshIfDue()) ?? false;
  }

  // ---------------------------------------------------------------- fields

  entityConfig(entity: X3EntityRef): X3EntityConfig {
    if (typeof entity === 'string') {
      const found = this.config.entities[entity];
      if (!found) throw new X3ConfigError(`Unknown Sage X3 entity '${entity}'`);
      return found;
    }
    return {
      representation: entity.className,
      keyFields: [],
      fields: {},
      lookupFields: entity.referenceField ? [entity.referenceField] : [],
      updateStampField: 'UPDDATTIM',
      createStampField: 'CREDATTIM',
      creates: false,
      ...entity,
    };
  }

  /**
   * A body in X3 field codes from logical names (`site`, `lines[].amount`), through the entity's field map.
   * A logical name the map lacks is a configuration error naming it; undefined values are left out.
   */
  mapFields(entity: X3EntityRef, header: Record<string, unknown>, lines?: Array<Record<string, unknown>>): X3Resource {
    const cfg = this.entityConfig(entity);
    const out: X3Resource = {};
    const put = (target: X3Resource, map: Record<string, string>, values: Record<string, unknown>, where: string) => {
      for (const [logical, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const code = map[logical];
        if (!code) throw new X3ConfigError(`Sage X3 ${cfg.className}: no field configured for ${where}${logical}`);
        target[code] = value;
      }
    };
    put(out, cfg.fields, header, 'fields.');
    if (lines) {
      const linesCfg = cfg.lines;
      if (!linesCfg) throw new X3ConfigError(`Sage X3 ${cfg.className}: no lines configured`);
      out[linesCfg.field] = lines.map((line) => {
        const mapped: X3Resource = {};
        put(mapped, linesCfg.fields, line, 'lines.fields.');
        return mapped;
      });
    }
    return out;
  }

  /**
   * The representation's fields per facet, with types and maximum lengths, from X3's prototypes
   * (`$prototypes('REPR.$facet')`); the `$create` facet falls back to `$template` (names only) when the site
   * publishes no prototype for it.
   */
  async describe(entity: X3EntityRef, options: { facets?: X3Facet[] } = {}): Promise<X3RepresentationDescription> {
    const cfg = this.entityConfig(entity);
    const facets =
      options.facets ?? (['$query', '$details', ...(cfg.creates ? ['$create' as const] : [])] as X3Facet[]);
    const description: X3RepresentationDescription = {
      className: cfg.className,
      representation: cfg.representation,
      facets: {},
    };
    for (const facet of facets) {
      try {
        const body = await this.getJson(this.api1PathUrl(this.config.api1Paths.prototype, cfg, facet), cfg.className);
        description.facets[facet] = {
          source: 'prototype',
          fields: parseX3Prototype(body, `${cfg.representation}.${facet}`),
        };
      } catch (error) {
        if (facet !== '$create' || !(error instanceof X3NotFoundError)) throw error;
        const template = await this.getJson(
          this.api1PathUrl(this.config.api1Paths.template, cfg, facet),
          cfg.className,
        );
        description.facets[facet] = { source: 'template', fields: templateFields(template) };
      }
    }
    return description;
  }

  /**
   * Every configured field of the entity that the site's representation lacks (per facet: lookup, stamp and
   * status fields on `$query`, written fields on `$create`, read fields on `$query`/`$details`), and every value
   * in `options.values` longer than its field allows — each problem names the field. A representation X3 does not
   * publish is reported as one problem, not thrown.
   */
  async verifyFields(entity: X3EntityRef, options: X3VerifyOptions = {}): Promise<X3FieldVerification> {
    const cfg = this.entityConfig(entity);
    let description = options.description;
    if (!description) {
      try {
        description = await this.describe(entity);
      } catch (error) {
        if (!(error instanceof X3Error) || (error.kind !== 'config' && error.kind !== 'not-found')) throw error;
        return {
          className: cfg.className,
          representation: cfg.representation,
          ok: false,
          problems: [
            {
              facet: '$query',
              field: cfg.representation,
              problem: 'representation-missing',
              message: `Sage X3 ${cfg.className}: representation ${cfg.representation} cannot be read (${error.message})`,
            },
          ],
          notes: [],
        };
      }
    }
    return verifyRepresentation(cfg, description, options.values ?? {});
  }

  // ---------------------------------------------------------------- api1 reads

  /** All resources matching the query, following `$links.$next.$url` until absent. */
  async *query(entity: X3EntityRef, options: X3QueryOptions = {}): AsyncGenerator<X3Resource> {
    let yielded = 0;
    for await (const resources of this.pages(entity, options)) {
      for (const resource of resources) {
        if (options.maxRecords !== undefined && yielded >= options.maxRecords) return;
        yielded++;
        yield resource;
      }
      if (options.maxRecords !== undefined && yielded >= options.maxRecords) return;
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
    return this.getJson(url, cfg.className, true);
  }

  /**
   * The record whose fields equal these values (`where F1 eq … and F2 eq …`), with its details; null if none.
   * Several matches are logged (X3 enforces no uniqueness on most of these fields) and the first is returned.
   */
  async findBy(
    entity: X3EntityRef,
    values: Record<string, string | number>,
    options: { details?: boolean } = {},
  ): Promise<X3Resource | null> {
    const cfg = this.entityConfig(entity);
    const clauses = Object.entries(values).map(([field, value]) => `${field} eq ${sdataLiteral(value)}`);
    if (!clauses.length) throw new X3ConfigError(`Sage X3 ${cfg.className}: findBy needs at least one field`);
    const matches: X3Resource[] = [];
    for await (const r of this.query(entity, { where: clauses.join(' and '), count: 2, maxRecords: 2 })) {
      matches.push(r);
    }
    if (!matches.length) return null;
    if (matches.length > 1) {
      this.config.logger.warn(`Several Sage X3 ${cfg.className} records match the lookup fields`, {
        className: cfg.className,
        fields: Object.keys(values),
      });
    }
    if (options.details === false) return matches[0];
    const key = this.resourceKey(cfg, matches[0]);
    return key === undefined ? matches[0] : this.details(entity, key);
  }

  // ---------------------------------------------------------------- api1 writes

  /**
   * One POST to `$create`. Not retried: a failure of kind `unknown-outcome` may hide a committed document.
   * Prefer createIdempotent.
   */
  async create(entity: X3EntityRef, body: X3Resource): Promise<X3CreateResponse> {
    const cfg = this.entityConfig(entity);
    const url = this.classUrl(cfg.className);
    url.searchParams.set('representation', `${cfg.representation}.$create`);
    const res = await this.exchange('api1', 'POST', url, JSON.stringify(body));
    if (res.status < 200 || res.status >= 300) throw this.api1Error(res, 'write', `POST ${cfg.className}`, false);
    // A 201 only proves the body was accepted: an error diagnosis in it means X3 did not save the document.
    const rejected = this.api1Error(res, 'write', `POST ${cfg.className}`, false, true);
    if (rejected) throw rejected;
    if (res.status !== 201) {
      throw new X3ProtocolError(`Sage X3 POST ${cfg.className} answered HTTP ${res.status} instead of 201`, {
        status: res.status,
        kind: 'unknown-outcome',
      });
    }
    const location = headerValue(res.headers['location']);
    if (!location) this.config.logger.warn(`Sage X3 POST ${cfg.className} answered 201 without a Location header`);
    let resource = parseJsonObject(res.body);
    if (!resource && location) resource = await this.getJson(this.rebase(location), cfg.className, true);
    if (!resource)
      throw new X3ProtocolError(`Sage X3 POST ${cfg.className} answered 201 without the created resource`, {
        status: 201,
        kind: 'unknown-outcome',
      });
    return { resource, location };
  }

  /**
   * Creates the document unless one with the same lookup values exists (entity `lookupFields`, values from the
   * body; the external reference is written to `referenceField` first when the class has one). It looks up before
   * the first POST (redelivered messages) and, after a failure of kind `unknown-outcome`, again before any new
   * POST, so a committed document is never duplicated. `transient` failures (pool exhausted, 503, a `transient`
   * diagnosis) are re-posted after backoff; everything else is thrown at once.
   */
  async createIdempotent(
    entity: X3EntityRef,
    externalRef: string,
    body: X3Resource,
    options: X3CreateOptions = {},
  ): Promise<X3IdempotentCreateResult> {
    const cfg = this.entityConfig(entity);
    if (!externalRef) throw new X3ConfigError('createIdempotent needs a non-empty external reference');
    let payload = body;
    if (cfg.referenceField) {
      const existingRef = body[cfg.referenceField];
      if (existingRef !== undefined && existingRef !== externalRef) {
        throw new X3ConfigError(`createIdempotent: body.${cfg.referenceField} differs from the external reference`);
      }
      payload = { ...body, [cfg.referenceField]: externalRef };
    }
    return this.createOnce(entity, cfg, payload, options);
  }

  /**
   * BPSUPPLIER `$create` from logical fields (`code`, `name`, `currency`, `country`, `taxId`… through the supplier
   * field map), idempotent on the supplier's lookup fields (default the code). X3's validation (mandatory fields,
   * duplicate code) comes back as a `business` X3DiagnosesError with X3's wording.
   */
  createSupplier(values: Record<string, unknown>, options: X3CreateOptions = {}): Promise<X3IdempotentCreateResult> {
    const cfg = this.entityConfig('supplier');
    return this.createOnce('supplier', cfg, this.mapFields('supplier', values), options);
  }

  private async createOnce(
    entity: X3EntityRef,
    cfg: X3EntityConfig,
    payload: X3Resource,
    options: X3CreateOptions,
  ): Promise<X3IdempotentCreateResult> {
    const lookup = lookupValues(cfg, payload);
    if (options.lookupFirst ?? true) {
      const found = await this.findBy(entity, lookup);
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
          const found = await this.findBy(entity, lookup).catch((lookupError: unknown) => {
            // The document may exist: whatever the lookup's own failure, the caller still faces an unknown outcome
            // (never "failed"), and must look it up again before anything else.
            throw new X3Error(
              `Sage X3 ${cfg.className} create had an unknown outcome (${x3Error.message}) and the lookup that would settle it failed: ${lookupError instanceof Error ? lookupError.message : String(lookupError)}`,
              { kind: 'unknown-outcome', status: x3Error.status, cause: lookupError },
            );
          });
          if (found) {
            this.config.logger.warn(`Sage X3 ${cfg.className} create had an unknown outcome; found it committed`, {
              className: cfg.className,
              error: x3Error.name,
            });
            this.config.hooks.onCreateRecovered?.({ className: cfg.className, outcome: 'recovered' });
            return { resource: found, outcome: 'recovered', posts: post };
          }
        }
        if (post >= maxPosts) throw error;
        const delayMs = backoffDelayMs(post, this.backoffPolicy());
        this.config.hooks.onRetry?.({ surface: 'api1', attempt: post, delayMs, errorName: x3Error.name });
        await this.sleep(delayMs);
      }
    }
  }

  // ---------------------------------------------------------------- GraphQL

  /**
   * Runs a GraphQL operation against `/xtrem/api`. Queries are retried on transient failures; mutations are not.
   * Errors are classified like api1 answers, from `errors[].extensions.diagnoses[].severity`.
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

  /** Releases pooled connections. */
  close(): void {
    this.transport.close();
  }

  // ---------------------------------------------------------------- plumbing

  private async *pages(entity: X3EntityRef, options: X3QueryOptions): AsyncGenerator<X3Resource[]> {
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
      const body = await this.getJson(url, cfg.className);
      const resources = body['$resources'];
      if (!Array.isArray(resources))
        throw new X3ProtocolError(`Sage X3 ${cfg.className} query answered without $resources`, { kind: 'transient' });
      const next = nextLink(body);
      yield resources.filter(isObject);
      if (!next) return;
      url = this.rebase(next);
      if (visited.has(url.href))
        throw new X3ProtocolError(`Sage X3 ${cfg.className} query: $next link repeats a page already read`);
    }
  }

  private classUrl(segment: string): URL {
    return new URL(`api1/x3/erp/${encodeURIComponent(this.config.folder)}/${segment}`, this.config.baseUrl);
  }

  /** A configured api1 path (`$prototypes('{representation}.{facet}')`…) for this entity. */
  private api1PathUrl(template: string, cfg: X3EntityConfig, facet: string): URL {
    const path = template
      .replace(/\{class\}/g, cfg.className)
      .replace(/\{representation\}/g, cfg.representation)
      .replace(/\{facet\}/g, facet);
    return this.classUrl(path);
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

  /** Sends with auth; on 401 lets the provider renew once and retries once, then AuthenticationError. */
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
          `Sage X3 answered 401 to ${method} ${describeUrl(url)}; renewing the credential and retrying once`,
        );
        continue;
      }
      throw new AuthenticationError(
        `Sage X3 rejected the ${auth.describe()} for folder '${this.config.folder}' (HTTP 401 on ${surface}): check the credentials`,
        401,
      );
    }
  }

  private backoffPolicy() {
    return { initialMs: this.config.retry.baseDelayMs, maxMs: this.config.retry.maxDelayMs, jitter: 'equal' as const };
  }

  /** Idempotent calls: retried on `transient` (and, for reads, on an unknown outcome, which changes nothing). */
  private withRetry<T>(surface: 'api1' | 'graphql', fn: () => Promise<T>): Promise<T> {
    return retryAsync(() => fn(), {
      ...this.backoffPolicy(),
      attempts: this.config.retry.maxAttempts,
      shouldRetry: (error) => isTransientX3Error(error),
      sleep: this.sleep,
      onRetry: ({ attempt, delayMs, error }) => {
        const name = error instanceof Error ? error.name : 'Error';
        this.config.hooks.onRetry?.({ surface, attempt, delayMs, errorName: name });
        this.config.logger.debug?.(`Sage X3 ${surface} transient failure, retrying`, {
          attempt,
          delayMs,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    });
  }

  /** GET a JSON object (retried while transient); an error diagnosis in a 2xx answer is an error too. */
  private getJson(url: URL, what: string, addressesRecord = false): Promise<JsonObject> {
    return this.withRetry('api1', async () => {
      const res = await this.exchange('api1', 'GET', url);
      if (res.status < 200 || res.status >= 300) throw this.api1Error(res, 'read', `GET ${what}`, addressesRecord);
      const body = parseJsonObject(res.body);
      if (!body)
        throw new X3ProtocolError(`Sage X3 GET ${what}: answer is not a JSON object`, {
          status: res.status,
          kind: 'transient',
        });
      // Only the root: a document's lines may carry their own informational diagnoses.
      const rejected = this.api1Error(res, 'read', `GET ${what}`, addressesRecord, true, rootDiagnoses(body));
      if (rejected) throw rejected;
      return body;
    });
  }

  /** The X3Error an api1 answer stands for (classifyX3Answer); with `onlyIfError`, undefined when it is a success. */
  private api1Error(
    res: HttpResponse,
    operation: 'read' | 'write',
    what: string,
    addressesRecord: boolean,
    onlyIfError: true,
    diagnosesOverride?: X3Diagnosis[],
  ): X3Error | undefined;
  private api1Error(res: HttpResponse, operation: 'read' | 'write', what: string, addressesRecord: boolean): X3Error;
  private api1Error(
    res: HttpResponse,
    operation: 'read' | 'write',
    what: string,
    addressesRecord: boolean,
    onlyIfError = false,
    diagnosesOverride?: X3Diagnosis[],
  ): X3Error | undefined {
    const body = parseJson(res.body);
    const diagnoses = diagnosesOverride ?? collectSdataDiagnoses(body);
    const status = res.status;
    const { kind } = classifyX3Answer({
      surface: 'api1',
      operation,
      status,
      diagnoses,
      addressesRecord,
      message: diagnoses.length ? undefined : res.body.slice(0, 500),
      configErrorPatterns: this.config.configErrorPatterns,
    });
    if (kind === 'ok') {
      if (onlyIfError) return undefined;
      return new X3ProtocolError(`Sage X3 ${what} (HTTP ${status}): unexpected answer`, { status });
    }
    const text = diagnoses
      .map((d) => d.message)
      .filter(Boolean)
      .join('; ');
    const context = `Sage X3 ${what} (HTTP ${status})`;
    return x3ErrorFor(kind, context, text, status, diagnoses, res.body);
  }

  private graphqlResult<T>(res: HttpResponse, isMutation: boolean): T {
    const op = isMutation ? 'mutation' : 'query';
    const body = parseJsonObject(res.body);
    const status = res.status;
    const errors: X3GraphqlErrorEntry[] = [];
    const diagnoses: X3Diagnosis[] = [];
    const rawErrors = body?.['errors'];
    if (Array.isArray(rawErrors)) {
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
    }
    const gatewayMessage = typeof body?.['$message'] === 'string' ? body['$message'] : '';
    const { kind } = classifyX3Answer({
      surface: 'graphql',
      operation: isMutation ? 'write' : 'read',
      status,
      diagnoses,
      message: gatewayMessage,
      configErrorPatterns: this.config.configErrorPatterns,
    });
    const context = `Sage X3 GraphQL ${op}`;
    if (kind !== 'ok') {
      if (diagnoses.length) {
        const text = diagnoses.map((d) => d.message).join('; ');
        throw x3ErrorFor(kind, `${context} rejected (HTTP ${status})`, text, status, diagnoses, res.body);
      }
      if (errors.length && kind === 'config') {
        throw new X3GraphqlError(
          `${context} failed (HTTP ${status}): ${errors.map((e) => e.message).join('; ')}`,
          errors,
          {
            kind,
            status,
          },
        );
      }
      throw x3ErrorFor(kind, `${context} failed (HTTP ${status})`, gatewayMessage, status, [], res.body);
    }
    if (errors.length) {
      throw new X3GraphqlError(
        `${context} failed (HTTP ${status}): ${errors.map((e) => e.message).join('; ')}`,
        errors,
        {
          kind: 'config',
          status,
        },
      );
    }
    const data = body?.['data'];
    if (!isObject(data))
      throw new X3ProtocolError(`${context}: answer has no data`, {
        status,
        kind: isMutation ? 'unknown-outcome' : 'transient',
      });
    return data as T;
  }
}

export function createSageX3Client(config: SageX3ClientConfig): SageX3Client {
  return new SageX3Client(config);
}

/** The error class that fits a classified answer, carrying X3's diagnoses and the kind. */
function x3ErrorFor(
  kind: X3ErrorKind,
  context: string,
  text: string,
  status: number,
  diagnoses: X3Diagnosis[],
  rawBody: string,
): X3Error {
  const message = text ? `${context}: ${text}` : context;
  if (kind === 'transient' && [text, ...diagnoses.map((d) => d.message)].some((t) => POOL_EXHAUSTED.test(t)))
    return new X3PoolExhaustedError(`${context}: web-service pool exhausted (${text})`, diagnoses, status);
  if (status === 404 && (kind === 'not-found' || kind === 'config'))
    return new X3NotFoundError(text ? message : `${context}: not found`, diagnoses, kind);
  if (kind === 'auth') return new AuthenticationError(`${message}: the credentials lack access`, status);
  if (kind === 'config') return new X3ConfigError(message, { status, diagnoses });
  if (kind === 'not-found') return new X3NotFoundError(message, diagnoses, 'not-found');
  if (diagnoses.length) return new X3DiagnosesError(message, diagnoses, { kind, status });
  return new X3HttpError(message, { kind, status, bodySnippet: rawBody.slice(0, 300) });
}

/** The lookup values of a body, one per lookup field; a missing one is a configuration/request error naming it. */
function lookupValues(cfg: X3EntityConfig, body: X3Resource): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const field of cfg.lookupFields) {
    const value = body[field];
    if ((typeof value !== 'string' || !value) && typeof value !== 'number') {
      throw new X3ConfigError(
        `Sage X3 ${cfg.className}: the body has no value for lookup field ${field}, so the document could not be found again`,
      );
    }
    out[field] = value;
  }
  return out;
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

function rootDiagnoses(body: JsonObject): X3Diagnosis[] {
  return collectSdataDiagnoses({ $diagnoses: body['$diagnoses'] });
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
