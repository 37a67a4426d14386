import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FaultInjector, type FailFault } from './fault.injector';
import { ManualClock, systemClock, type SimulatorClock } from './simulator.clock';
import {
  ENTITY_KINDS,
  SimulatorTenant,
  type EntityKind,
  type StoredRecords,
  type ServiceTitanSimulatorSeed,
  type SimulatorTenantSeed,
} from './simulator.store';
import { SIMULATOR_ROUTES, SimulatorHttpError, findRoute, type RouteMatch } from './simulator.routes';
import { QueryValidationError, parseQuery } from './query.parser';
import { WebhookSender, type SignatureEncoding, type WebhookDelivery, type WebhookSendRequest } from './webhook.sender';
import { validateRequestBody } from './request-body.validator';
import { SimulatorStatsRecorder, type SimulatorStats } from './simulator.stats';
import {
  DEFAULT_WEBHOOK_V2_SHAPE,
  buildJobCompletedEvent,
  buildWebhookEvent,
  buildWebhookEventV2,
  type WebhookV2Shape,
} from './webhook-event.builder';
import {
  addCompletedJob,
  generateTenant,
  type AddCompletedJobOptions,
  type AddedJob,
  type TenantGeneratorOptions,
} from './tenant.generator';

export interface ServiceTitanSimulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: ServiceTitanSimulatorSeed;
  /** Time source for token expiry and modifiedOn stamps. Pass a ManualClock to control it from tests. */
  clock?: SimulatorClock;
  /** `expires_in` of issued tokens. Default 900 s (what ServiceTitan issues). */
  tokenLifetimeSeconds?: number;
  /** `jwt` (default): JWT-looking tokens like the real RS256 ones; `opaque`: random strings. Both are only valid here. */
  tokenFormat?: 'jwt' | 'opaque';
  /** Requests per second per tenant and app key before 429. Default 60 (the documented limit). */
  rateLimitPerSecond?: number;
  /** Time source of the rate limiter (ms). Default: real monotonic time, independent of `clock`. */
  rateLimitClock?: () => number;
  /** Rows per export response. Default 500; at least 2 (one row repeats at each inclusive boundary). */
  exportPageSize?: number;
  /** Scale of the webhook re-delivery schedule (0.001 turns 10 s into 10 ms). Default 1. */
  webhookTimeScale?: number;
  webhookRetryScheduleSeconds?: readonly number[];
  /** Answers the webhook sender counts as delivered. Default [200] (anything else is re-delivered). */
  webhookDeliveredStatuses?: readonly number[];
  /** If set, `/__admin/*` requires header `x-admin-token`. */
  adminToken?: string;
  /** Status for rejected client credentials at /connect/token (IdentityServer answers 400). Default 400. */
  invalidClientStatus?: 400 | 401;
}

interface IssuedToken {
  tenantId: number;
  clientId: string;
  expiresAtMs: number;
}

/** A write request the simulator received (any outcome): tests assert "no write at all" or exactly which. */
export interface SimulatorWrite {
  /** Simulator clock, ISO. */
  at: string;
  method: string;
  /** Path without the query string. */
  path: string;
  tenantId?: number;
  /** Route name (`invoices.markAsExported`, …) or `unknown`. */
  route: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** HTTP status answered. */
  status: number;
}

/** A webhook built from a stored entity and sent by the simulator (`sendWebhookEvent`, admin route). */
export interface SimulatorWebhookEventRequest {
  url: string;
  /** `v1`: the legacy body (`__eventInfo`, `__tenantInfo`, entity at the top); `v2`: see WebhookV2Shape. */
  generation: 'v1' | 'v2';
  tenantId: number;
  /** E.g. `JobCompleted`. A V1 JobCompleted carries the job's invoice block. */
  eventType: string;
  /** The entity sent: a stored record, as the API returns it. */
  entity: { kind: EntityKind; id: number };
  eventId?: string;
  webhookId?: number;
  /** V2 only: field names and data mode. */
  v2Shape?: Partial<WebhookV2Shape>;
  secret?: string;
  headerName?: string;
  encoding?: SignatureEncoding;
  headers?: Record<string, string>;
}

const STATUS_TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
  401: 'https://tools.ietf.org/html/rfc7235#section-3.1',
  403: 'https://tools.ietf.org/html/rfc7231#section-6.5.3',
  404: 'https://tools.ietf.org/html/rfc7231#section-6.5.4',
  405: 'https://tools.ietf.org/html/rfc7231#section-6.5.5',
  415: 'https://tools.ietf.org/html/rfc7231#section-6.5.13',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc7231#section-6.6.1',
  503: 'https://tools.ietf.org/html/rfc7231#section-6.6.4',
};

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const API_PATH = /^\/([a-z-]+)\/v2\/tenant\/([^/]+)\/(.+?)\/?$/;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * In-process ServiceTitan API simulator: OAuth token endpoint, the read endpoints the connector uses (documented
 * envelopes, filters, paging, the bare-array inventory-bills quirk, export feeds with inclusive continuation),
 * RFC 7807 errors, app key + bearer checks, per-tenant rate limit, fault injection and a webhook sender.
 */
export class ServiceTitanSimulator {
  readonly clock: SimulatorClock;
  readonly faults = new FaultInjector();
  readonly webhooks: WebhookSender;
  private readonly server: Server;
  private readonly tenants = new Map<number, SimulatorTenant>();
  private readonly appKeys = new Set<string>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly callCounts = new Map<string, number>();
  private readonly rateWindows = new Map<string, number[]>();
  private readonly statsRecorder: SimulatorStatsRecorder;
  private readonly writeLog: SimulatorWrite[] = [];
  private readonly tokenLifetimeSeconds: number;
  private readonly tokenFormat: 'jwt' | 'opaque';
  private readonly rateLimitPerSecond: number;
  private readonly rateLimitClock: () => number;
  private readonly exportPageSize: number;
  private readonly adminToken?: string;
  private readonly invalidClientStatus: 400 | 401;
  private lastStampMs = Number.NEGATIVE_INFINITY;
  private baseUrl = '';

  constructor(private readonly options: ServiceTitanSimulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 900;
    if (!(this.tokenLifetimeSeconds > 0)) throw new RangeError('tokenLifetimeSeconds must be > 0');
    this.tokenFormat = options.tokenFormat ?? 'jwt';
    this.rateLimitPerSecond = options.rateLimitPerSecond ?? 60;
    this.rateLimitClock = options.rateLimitClock ?? (() => performance.now());
    this.exportPageSize = options.exportPageSize ?? 500;
    if (!Number.isInteger(this.exportPageSize) || this.exportPageSize < 2)
      throw new RangeError('exportPageSize must be an integer >= 2');
    this.adminToken = options.adminToken;
    this.invalidClientStatus = options.invalidClientStatus ?? 400;
    this.statsRecorder = new SimulatorStatsRecorder(this.rateLimitClock);
    this.webhooks = new WebhookSender({
      timeScale: options.webhookTimeScale,
      retryScheduleSeconds: options.webhookRetryScheduleSeconds,
      deliveredStatuses: options.webhookDeliveredStatuses,
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          this.problem(res, 500, {
            title: 'Simulator error',
            detail: error instanceof Error ? error.message : String(error),
          });
        else res.destroy();
      });
    });
    if (options.seed) this.seed(options.seed);
  }

  /** Base URL for both the auth server and the API (`authUrl` and `apiBaseUrl` of the client). */
  get url(): string {
    return this.baseUrl;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${host}:${address.port}`;
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    this.webhooks.close();
    if (!this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- data
  /** Adds tenants (replacing same-id tenants) and app keys. */
  seed(seed: ServiceTitanSimulatorSeed): void {
    const keys = seed.appKey === undefined ? [] : Array.isArray(seed.appKey) ? seed.appKey : [seed.appKey];
    for (const key of keys) this.appKeys.add(key);
    for (const tenantSeed of seed.tenants ?? []) this.addTenant(tenantSeed);
  }

  addTenant(seed: SimulatorTenantSeed): SimulatorTenant {
    const tenant = new SimulatorTenant(seed, () => this.stamp());
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  tenant(id: number): SimulatorTenant {
    const tenant = this.tenants.get(id);
    if (!tenant) throw new Error(`simulator has no tenant ${id}`);
    return tenant;
  }

  /**
   * Generates a realistic tenant (see generateTenant) and adds it. Returns what was generated (counts, first and last
   * completion). App keys of the simulator are accepted for it as for every tenant.
   */
  generateTenant(options: TenantGeneratorOptions) {
    const generated = generateTenant(options);
    this.addTenant(generated.seed);
    return generated.summary;
  }

  /** A job of `tenantId` completes now, with its invoice and gross pay items (see addCompletedJob). */
  addCompletedJob(tenantId: number, options: AddCompletedJobOptions = {}): AddedJob {
    return addCompletedJob(this.tenant(tenantId), options);
  }

  /** Removes every tenant, app key, token, fault, call count, statistic and recorded write. */
  reset(): void {
    this.tenants.clear();
    this.appKeys.clear();
    this.tokens.clear();
    this.rateWindows.clear();
    this.faults.reset();
    this.resetCalls();
  }

  /** A fresh, strictly increasing ISO timestamp (modifiedOn of a change). */
  stamp(): string {
    this.lastStampMs = Math.max(this.clock.now(), this.lastStampMs + 1);
    return new Date(this.lastStampMs).toISOString();
  }

  // ---------------------------------------------------------------- observation
  /** Requests received per endpoint name (`token`, `inventoryBills.list`, ...), whatever their outcome. */
  callCount(name: string, tenantId?: number): number {
    return this.callCounts.get(tenantId === undefined ? name : `${tenantId}:${name}`) ?? 0;
  }

  calls(): Record<string, number> {
    return Object.fromEntries([...this.callCounts.entries()].filter(([key]) => !/^\d+:/.test(key)));
  }

  /** Forgets call counts, statistics (busiest second, 429s) and recorded writes. */
  resetCalls(): void {
    this.callCounts.clear();
    this.statsRecorder.reset();
    this.writeLog.length = 0;
  }

  /**
   * Load figures for tests and benchmarks: calls per route, the busiest second (most requests within any one-second
   * window) per (app key, tenant), 429s answered, writes received. Also `GET /__admin/stats`.
   */
  stats(): SimulatorStats {
    return this.statsRecorder.snapshot(this.calls());
  }

  /** Every write request received so far (POST/PATCH to the API, any outcome). Also `GET /__admin/writes`. */
  writes(): readonly SimulatorWrite[] {
    return [...this.writeLog];
  }

  /**
   * Builds a V1 or V2 webhook body from a stored entity (as the API would return it) and sends it with the
   * simulator's sender (signed when a secret is given, re-delivered on anything but HTTP 200).
   */
  sendWebhookEvent(request: SimulatorWebhookEventRequest): WebhookDelivery {
    const tenant = this.tenant(request.tenantId);
    const stored = tenant.get(request.entity.kind, request.entity.id);
    if (!stored) throw new Error(`tenant ${tenant.id} has no ${request.entity.kind} record ${request.entity.id}`);
    const entity = tenant.view(request.entity.kind, stored) as { id: number } & Record<string, unknown>;
    let body: unknown;
    if (request.generation === 'v2') {
      body = buildWebhookEventV2({
        eventType: request.eventType,
        tenantId: tenant.id,
        entity,
        eventId: request.eventId,
        createdOn: this.stamp(),
        shape: { ...DEFAULT_WEBHOOK_V2_SHAPE, ...request.v2Shape },
      });
    } else if (request.eventType === 'JobCompleted' && request.entity.kind === 'jobs') {
      const job = stored as StoredRecords['jobs'];
      const invoice = tenant.get('invoices', job.invoiceId);
      const { active: _active, ...listedJob } = tenant.view('jobs', job);
      void _active;
      body = buildJobCompletedEvent({
        tenant: { id: tenant.id, name: tenant.name },
        job: listedJob,
        invoice: invoice ?? { id: job.invoiceId, referenceNumber: null, total: null, items: [] },
        eventId: request.eventId,
        webhookId: request.webhookId,
      });
    } else {
      body = buildWebhookEvent({
        webhookType: request.eventType,
        tenant: { id: tenant.id, name: tenant.name },
        entity,
        eventId: request.eventId,
        webhookId: request.webhookId,
      });
    }
    return this.webhooks.send({
      url: request.url,
      body,
      secret: request.secret,
      headerName: request.headerName,
      encoding: request.encoding,
      headers: request.headers,
    });
  }

  /** Invalidates every issued token (the next API call gets 401). */
  revokeAllTokens(): void {
    this.tokens.clear();
  }

  /** Names of the simulated API endpoints (for call counts). */
  static readonly routeNames: readonly string[] = ['token', ...SIMULATOR_ROUTES.map((route) => route.name)];

  private count(name: string, tenantId?: number): void {
    this.callCounts.set(name, (this.callCounts.get(name) ?? 0) + 1);
    if (tenantId !== undefined)
      this.callCounts.set(`${tenantId}:${name}`, (this.callCounts.get(`${tenantId}:${name}`) ?? 0) + 1);
  }

  // ---------------------------------------------------------------- request handling
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const path = url.pathname;
    if (path.startsWith('/__admin/')) return this.handleAdmin(req, res, url);

    const method = req.method ?? 'GET';
    const isToken = path === '/connect/token';
    const apiMatch = API_PATH.exec(path);
    const isApi = !isToken && apiMatch !== null;
    const match: RouteMatch = apiMatch
      ? findRoute(method, apiMatch[1] ?? '', apiMatch[3] ?? '')
      : { kind: 'not-found' };
    const routeName = match.kind === 'found' ? match.route.name : 'unknown';
    const pathTenantId = apiMatch && /^\d+$/.test(apiMatch[2] ?? '') ? Number(apiMatch[2]) : undefined;
    this.count(isToken ? 'token' : routeName, pathTenantId);

    // Every write that reaches the API is recorded, whatever its outcome (tests assert "no write at all").
    let rawBody: Buffer | undefined;
    if (isApi && method !== 'GET' && method !== 'HEAD') {
      rawBody = await readBody(req);
      const write: SimulatorWrite = {
        at: new Date(this.clock.now()).toISOString(),
        method,
        path,
        tenantId: pathTenantId,
        route: routeName,
        body: parseJson(rawBody),
        status: 0,
      };
      this.writeLog.push(write);
      this.statsRecorder.write();
      res.once('finish', () => (write.status = res.statusCode));
    }

    const latency = this.faults.latencyFor(path, isApi);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const fault = this.faults.take(path, isApi);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'fail') {
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
      if (isToken && fault.status < 500 && fault.status !== 429) {
        return this.json(res, fault.status, { error: fault.title ?? 'invalid_request' }, headers);
      }
      return this.problem(res, fault.status, { title: fault.title ?? 'Injected failure' }, headers);
    }

    if (isToken) return this.handleToken(req, res);
    if (!apiMatch) return this.problem(res, 404, { title: 'Not Found' });
    return this.handleApi(req, res, url, apiMatch[1] ?? '', apiMatch[2] ?? '', match, rawBody);
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      return this.json(res, 405, { error: 'invalid_request', error_description: 'POST required' }, { Allow: 'POST' });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const raw = (await readBody(req)).toString('utf8');
    if (contentType !== 'application/x-www-form-urlencoded') {
      return this.json(res, 400, {
        error: 'invalid_request',
        error_description: 'Content-Type must be application/x-www-form-urlencoded',
      });
    }
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials')
      return this.json(res, 400, { error: 'unsupported_grant_type' });
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    const tenant = [...this.tenants.values()].find((t) => t.clientId === clientId);
    if (!clientId || !clientSecret || !tenant || !constantTimeEqual(tenant.clientSecret, clientSecret)) {
      return this.json(res, this.invalidClientStatus, {
        error: 'invalid_client',
      });
    }
    const now = this.clock.now();
    for (const [token, issued] of this.tokens) if (issued.expiresAtMs <= now) this.tokens.delete(token);
    const accessToken = this.newToken(tenant, now);
    this.tokens.set(accessToken, {
      tenantId: tenant.id,
      clientId,
      expiresAtMs: now + this.tokenLifetimeSeconds * 1000,
    });
    return this.json(res, 200, {
      access_token: accessToken,
      expires_in: this.tokenLifetimeSeconds,
      token_type: 'Bearer',
      scope: 'tn.acc.read tn.inv.read tn.jpm.read tn.pay.read tn.set.read',
    });
  }

  private newToken(tenant: SimulatorTenant, now: number): string {
    if (this.tokenFormat === 'opaque') return randomBytes(32).toString('base64url');
    const header = b64json({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'servicetitan-simulator',
    });
    const payload = b64json({
      iss: this.baseUrl,
      client_id: tenant.clientId,
      tenant: String(tenant.id),
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + this.tokenLifetimeSeconds,
      jti: randomBytes(12).toString('hex'),
    });
    return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
  }

  private handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    module: string,
    tenantSegment: string,
    match: RouteMatch,
    rawBody: Buffer | undefined,
  ): void {
    // 1. application key (header, or the query form the specs also declare)
    const appKey = headerValue(req, 'st-app-key') ?? url.searchParams.get('servicetitanapplicationkey') ?? undefined;
    url.searchParams.delete('servicetitanapplicationkey');
    const tenantId = /^\d+$/.test(tenantSegment) ? Number(tenantSegment) : undefined;
    const tenant = tenantId === undefined ? undefined : this.tenants.get(tenantId);
    if (!appKey)
      return this.problem(res, 401, {
        title: 'The ST-App-Key header is missing.',
      });
    if (!this.appKeys.has(appKey) && !(tenant?.appKeys.has(appKey) ?? false)) {
      return this.problem(res, 401, {
        title: 'The application key is not valid.',
      });
    }
    // 2. bearer token
    const authorization = headerValue(req, 'authorization');
    const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (!bearer)
      return this.problem(
        res,
        401,
        { title: 'Authorization header with a Bearer token is required.' },
        { 'WWW-Authenticate': 'Bearer' },
      );
    const issued = this.tokens.get(bearer);
    if (!issued) {
      return this.problem(
        res,
        401,
        { title: 'The access token is invalid.' },
        { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      );
    }
    if (issued.expiresAtMs <= this.clock.now()) {
      return this.problem(
        res,
        401,
        { title: 'The access token has expired.' },
        {
          'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token expired"',
        },
      );
    }
    // 3. tenant
    if (!tenant)
      return this.problem(res, 404, {
        title: `Tenant ${tenantSegment} was not found.`,
      });
    if (issued.tenantId !== tenant.id)
      return this.problem(res, 403, {
        title: 'The access token is not valid for this tenant.',
      });
    // 4. rate limit, per tenant and application: every token and connection of the app counts together
    this.statsRecorder.arrival(tenant.id, appKey);
    const retryAfter = this.rateLimit(`${tenant.id}|${appKey}`);
    if (retryAfter !== undefined) {
      this.statsRecorder.rateLimited(tenant.id, appKey);
      return this.problem(
        res,
        429,
        { title: 'Too many requests. Rate limit is 60 requests per second.' },
        { 'Retry-After': String(retryAfter) },
      );
    }
    // 5. endpoint
    if (match.kind === 'not-found')
      return this.problem(res, 404, {
        title: `No simulated endpoint for /${module}/v2/tenant/{tenant}/${url.pathname.split('/').slice(5).join('/')}`,
      });
    if (match.kind === 'method-not-allowed')
      return this.problem(res, 405, { title: 'Method Not Allowed' }, { Allow: match.allow.join(', ') });
    const { route, params } = match;
    try {
      const query = parseQuery(url.searchParams, route.params);
      let body: unknown;
      if (route.hasBody) {
        const contentType = (headerValue(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        if (contentType !== 'application/json' && !contentType.endsWith('+json'))
          return this.problem(res, 415, { title: 'Unsupported Media Type' });
        const text = (rawBody ?? Buffer.alloc(0)).toString('utf8');
        if (text.trim() === '')
          return this.problem(res, 400, {
            title: 'One or more validation errors occurred.',
            errors: { '': ['A non-empty request body is required.'] },
          });
        try {
          body = JSON.parse(text);
        } catch (error) {
          return this.problem(res, 400, {
            title: 'One or more validation errors occurred.',
            errors: { $: [`The request body is not valid JSON: ${(error as Error).message}`] },
          });
        }
        const errors = validateRequestBody(route.operationId, body);
        if (Object.keys(errors).length > 0)
          return this.problem(res, 400, { title: 'One or more validation errors occurred.', errors });
      }
      const result = route.handle({ tenant, query, params, body, exportPageSize: this.exportPageSize });
      return this.json(res, route.status ?? 200, result);
    } catch (error) {
      if (error instanceof QueryValidationError)
        return this.problem(res, 400, {
          title: error.title,
          errors: error.errors,
        });
      if (error instanceof SimulatorHttpError)
        return this.problem(res, error.status, { title: error.title, errors: error.errors });
      throw error;
    }
  }

  /** Sliding one-second window. Returns Retry-After seconds when over the limit. */
  private rateLimit(key: string): number | undefined {
    const now = this.rateLimitClock();
    const window = (this.rateWindows.get(key) ?? []).filter((t) => t > now - 1000);
    if (window.length >= this.rateLimitPerSecond) {
      this.rateWindows.set(key, window);
      const oldest = window[0] ?? now;
      return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    }
    window.push(now);
    this.rateWindows.set(key, window);
    return undefined;
  }

  // ---------------------------------------------------------------- admin API
  private async handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (this.adminToken !== undefined && !constantTimeEqual(this.adminToken, headerValue(req, 'x-admin-token') ?? '')) {
      return this.problem(res, 401, { title: 'x-admin-token required' });
    }
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    if (method === 'POST' || method === 'PUT') {
      const raw = (await readBody(req)).toString('utf8');
      try {
        const parsed: unknown = raw ? JSON.parse(raw) : {};
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('body must be a JSON object');
        body = parsed as Record<string, unknown>;
      } catch (error) {
        return this.problem(res, 400, {
          title: `Invalid JSON body: ${(error as Error).message}`,
        });
      }
    }
    try {
      const key = `${method} ${path}`;
      switch (key) {
        case 'GET /__admin/health':
          return this.json(res, 200, {
            ok: true,
            tenants: [...this.tenants.keys()],
          });
        case 'POST /__admin/seed':
          this.seed(body as ServiceTitanSimulatorSeed);
          return this.json(res, 200, {
            ok: true,
            tenants: [...this.tenants.keys()],
          });
        case 'POST /__admin/reset':
          this.reset();
          return this.json(res, 200, { ok: true });
        case 'GET /__admin/calls':
          return this.json(res, 200, this.calls());
        case 'DELETE /__admin/calls':
        case 'DELETE /__admin/stats':
        case 'DELETE /__admin/writes':
          this.resetCalls();
          return this.json(res, 200, { ok: true });
        case 'GET /__admin/stats':
          return this.json(res, 200, this.stats());
        case 'GET /__admin/writes':
          return this.json(res, 200, this.writes());
        case 'POST /__admin/generate':
          return this.json(res, 200, this.generateTenant(body as unknown as TenantGeneratorOptions));
        case 'GET /__admin/faults':
          return this.json(res, 200, this.faults.pending());
        case 'DELETE /__admin/faults':
          this.faults.reset();
          return this.json(res, 200, { ok: true });
        case 'POST /__admin/faults':
          this.applyFaults(body);
          return this.json(res, 200, this.faults.pending());
        case 'POST /__admin/tokens/revoke':
          this.revokeAllTokens();
          return this.json(res, 200, { ok: true });
        case 'POST /__admin/clock': {
          if (!(this.clock instanceof ManualClock))
            return this.problem(res, 409, {
              title: 'The simulator runs on the system clock',
            });
          if (typeof body['advanceMs'] === 'number') this.clock.advance(body['advanceMs']);
          if (typeof body['set'] === 'string' || typeof body['set'] === 'number') this.clock.set(body['set']);
          return this.json(res, 200, {
            now: new Date(this.clock.now()).toISOString(),
          });
        }
        case 'POST /__admin/webhooks/send': {
          const delivery = this.webhooks.send(body as unknown as WebhookSendRequest);
          if (body['wait'] === true) await delivery.done;
          return this.json(res, 200, summarizeDelivery(delivery));
        }
        case 'POST /__admin/webhooks/event': {
          const delivery = this.sendWebhookEvent(body as unknown as SimulatorWebhookEventRequest);
          if (body['wait'] === true) await delivery.done;
          return this.json(res, 200, summarizeDelivery(delivery));
        }
        case 'GET /__admin/webhooks/deliveries':
          return this.json(res, 200, this.webhooks.deliveries.map(summarizeDelivery));
      }
      // POST /__admin/tenants/{id}/{kind}/{recordId}        body = patch   (bumps modifiedOn)
      // POST /__admin/tenants/{id}/{kind}/{recordId}/deactivate            (void / delete)
      // POST /__admin/tenants/{id}/{kind}                   body = record  (insert)
      const match = /^\/__admin\/tenants\/(\d+)\/([A-Za-z]+)(?:\/(\d+)(\/deactivate)?)?$/.exec(path);
      if (method === 'POST' && match) {
        const tenant = this.tenant(Number(match[1]));
        const kind = match[2] as EntityKind;
        if (!ENTITY_KINDS.includes(kind))
          return this.problem(res, 404, {
            title: `Unknown entity kind ${kind}`,
          });
        if (match[3] === undefined) return this.json(res, 200, tenant.insert(kind, body as never));
        const id = Number(match[3]);
        if (match[4]) {
          tenant.deactivate(kind, id);
          return this.json(res, 200, tenant.get(kind, id));
        }
        return this.json(res, 200, tenant.update(kind, id, body as never));
      }
      return this.problem(res, 404, { title: `No admin route ${key}` });
    } catch (error) {
      return this.problem(res, 400, {
        title: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private applyFaults(body: Record<string, unknown>): void {
    const pathPrefix = typeof body['pathPrefix'] === 'string' ? body['pathPrefix'] : undefined;
    const fail = body['fail'];
    if (fail && typeof fail === 'object') {
      const f = fail as FailFault & { count?: number };
      this.faults.failNext(f.count ?? 1, {
        ...f,
        pathPrefix: f.pathPrefix ?? pathPrefix,
      });
    }
    const drop = body['drop'];
    if (drop && typeof drop === 'object') {
      const d = drop as { count?: number; pathPrefix?: string };
      this.faults.dropNext(d.count ?? 1, {
        pathPrefix: d.pathPrefix ?? pathPrefix,
      });
    }
    if (typeof body['latencyMs'] === 'number') this.faults.setLatency(body['latencyMs'], { pathPrefix });
  }

  // ---------------------------------------------------------------- responses
  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(payload),
      ...headers,
    });
    res.end(payload);
  }

  /** RFC 7807 body exactly as the specs' ApiErrorResponse: type, title, status, traceId, errors, data. */
  private problem(
    res: ServerResponse,
    status: number,
    detail: {
      title?: string;
      errors?: Record<string, string[]>;
      detail?: string;
    },
    headers: Record<string, string> = {},
  ): void {
    if (status === 429) this.statsRecorder.answered429();
    this.json(
      res,
      status,
      {
        type: STATUS_TYPES[status] ?? 'about:blank',
        title: detail.title ?? STATUS_TITLES[status] ?? 'Error',
        status,
        traceId: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`,
        errors: detail.errors ?? {},
        data: detail.detail ? { detail: detail.detail } : {},
      },
      headers,
    );
  }
}

/** Starts a simulator listening on 127.0.0.1 (port 0 = random). Remember `await sim.close()`. */
export async function startServiceTitanSimulator(
  options: ServiceTitanSimulatorOptions = {},
): Promise<ServiceTitanSimulator> {
  return new ServiceTitanSimulator(options).listen();
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

function parseJson(raw: Buffer): unknown {
  try {
    return raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function summarizeDelivery(delivery: {
  id: number;
  url: string;
  state: string;
  attempts: unknown[];
  signature?: string;
}) {
  return {
    id: delivery.id,
    url: delivery.url,
    state: delivery.state,
    signature: delivery.signature,
    attempts: delivery.attempts,
  };
}
