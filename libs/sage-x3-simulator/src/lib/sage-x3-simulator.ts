import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { toDecimalString } from '@connector/decimal';
import {
  RuleResult,
  SimDiagnosis,
  validateJournalEntry,
  validatePurchaseInvoice,
  validateSupplier,
} from './business-rules';
import { createDemoSeed } from './demo-seed';
import { FaultInjector, FaultMatch, FaultSpec, FaultSurface, RequestFacts } from './fault-injector';
import { buildFolderStore, FolderStore, SimulatorError, X3Record } from './folder-store';
import { executeGraphql } from './graphql/graphql.executor';
import { Facet, Representation, RepresentationCustomisation } from './representation';
import { SageX3SeedFile, SageX3SimAuthSeed } from './seed.types';
import {
  evaluateWhere,
  parseOrderBy,
  parseWhere,
  SdataSyntaxError,
  SdataUnknownPropertyError,
  compareValues,
  WhereNode,
  OrderTerm,
} from './sdata-where.parser';
import { AuthCheck, AuthMode, SimulatorAuth } from './simulator-auth';
import { SimulatorClock, StampIssuer } from './simulator-clock';
import { PINVOICE_STA_VALIDATED, X3_CLASSES } from './x3-classes';

/**
 * X3's web-service capacity: a pool of X3 processes (beyond it HTTP 500 "No Web services accepted") and the time a
 * call takes. Off by default (unit tests); the month demo and the benchmarks turn it on (e.g. 5 and 150 ms).
 */
export interface SimulatorCapacity {
  /** Concurrent api1/GraphQL calls the pool serves; 0 or absent = unlimited. */
  poolSize?: number;
  /** Processing time per call, while it holds a pool process. */
  latencyMs?: { create?: number; read?: number };
  /** How the latency is waited (default: a timer). Tests inject their own to control time. */
  delay?: (ms: number) => Promise<void>;
}

export interface SageX3SimulatorOptions {
  /** Default 0 (random). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clock?: SimulatorClock;
  /** Folder fixtures; default createDemoSeed(). */
  seed?: SageX3SeedFile;
  /** Path to a JSON fixture (SageX3SeedFile); used when `seed` is absent. */
  seedFile?: string;
  /** Overrides seed.auth. */
  auth?: SageX3SimAuthSeed;
  /** 1 (default) = millisecond stamps; 1000 mimics X3's second precision. */
  stampResolutionMs?: number;
  /** When set, /__admin routes need header `x-admin-token`. */
  adminToken?: string;
  /** Base URL used in `$url`, `$next` and `Location` (when behind a proxy). Default: the listening URL. */
  publicUrl?: string;
  /** Default 5 MiB. */
  maxBodyBytes?: number;
  /** Web-service pool and latency; default: unlimited, no latency. */
  capacity?: SimulatorCapacity;
}

export interface CreatedDocument {
  folder: string;
  className: string;
  key: string;
  reference: string;
  via: 'api1' | 'graphql';
  at: string;
  record: X3Record;
}

export interface RequestLogEntry {
  at: string;
  surface: FaultSurface | 'admin' | 'other';
  method: string;
  path: string;
  status?: number;
  folder?: string;
  className?: string;
  authMode?: AuthMode;
  fault?: string;
}

export interface SimulatorStats {
  requests: number;
  unauthorized: { api1: number; graphql: number };
  tokenRequests: { client_credentials: number; refresh_token: number; rejected: number };
  faultsInjected: number;
  documentsCreated: number;
  /** Write calls (api1 POST/PUT, GraphQL mutations) per class that reached an X3 process, accepted or not. */
  writes: Record<string, number>;
  /** Read calls (api1 GET, GraphQL queries) that reached an X3 process. */
  reads: number;
  /** Calls refused because every pool process was busy. */
  poolRejections: number;
  /** Highest number of calls held by pool processes at once. */
  maxConcurrency: number;
  /** Successful refresh_token grants. */
  refreshes: number;
  invalidGrants: number;
  revokedChains: number;
}

const MAX_LOG = 10_000;
const API1_PREFIX = '/api1/x3/erp/';

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function diagnosesBody(diagnoses: SimDiagnosis[] | string): { $diagnoses: Array<Record<string, string>> } {
  const list = typeof diagnoses === 'string' ? [{ severity: 'error' as const, message: diagnoses }] : diagnoses;
  return {
    $diagnoses: list.map((d) => ({ $severity: d.severity, $message: d.message, $sdataCode: 'ApplicationDiagnosis' })),
  };
}

/** Convenience wrappers around the fault queue. */
export class SimulatorFaults {
  constructor(private readonly injector: FaultInjector) {}

  inject(spec: FaultSpec): number {
    return this.injector.add(spec);
  }

  /** Next `count` matching requests answer a bare HTTP 500 (no diagnosis; nothing applied). */
  failNext(count = 1, match?: FaultMatch): number {
    return this.injector.add({ kind: 'http-500', count, match });
  }

  /**
   * Next `count` matching requests are refused as a business rejection answered with a server error: HTTP 500 (or
   * `status`) and one `error` diagnosis; nothing applied.
   */
  businessRejectionNext(
    count = 1,
    options: { status?: number; message?: string; severity?: 'error' | 'fatal'; match?: FaultMatch } = {},
  ): number {
    return this.injector.add({
      kind: 'diagnosis',
      count,
      status: options.status ?? 500,
      severity: options.severity ?? 'error',
      message: options.message ?? 'The document was refused by a business rule',
      match: options.match,
    });
  }

  /** Next `count` matching requests answer HTTP 500/503 with a `transient` diagnosis; nothing applied. */
  transientNext(count = 1, options: { status?: number; message?: string; match?: FaultMatch } = {}): number {
    return this.injector.add({
      kind: 'diagnosis',
      count,
      status: options.status ?? 503,
      severity: 'transient',
      message: options.message ?? 'Resource temporarily unavailable, try again later',
      match: options.match,
    });
  }

  /** Next `count` matching requests answer HTTP 500 "No Web services accepted". */
  poolExhaustedNext(count = 1, match?: FaultMatch): number {
    return this.injector.add({ kind: 'pool-exhausted', count, match });
  }

  latency(delayMs: number, options: { count?: number; match?: FaultMatch } = {}): number {
    return this.injector.add({ kind: 'latency', delayMs, count: options.count ?? Infinity, match: options.match });
  }

  /**
   * Next matching write is committed, then its answer is lost: the connection is destroyed ('destroy', default)
   * or the answer is held for delayMs ('delay', use a delay beyond the client timeout).
   */
  loseResponseNext(
    options: { count?: number; mode?: 'destroy' | 'delay'; delayMs?: number; match?: FaultMatch } = {},
  ): number {
    return this.injector.add({
      kind: options.mode === 'delay' ? 'commit-then-delay' : 'commit-then-destroy',
      count: options.count ?? 1,
      delayMs: options.delayMs ?? 5_000,
      match: options.match,
    });
  }

  /** Next matching requests see the connection closed before anything is applied. */
  destroyNext(count = 1, match?: FaultMatch): number {
    return this.injector.add({ kind: 'destroy-before', count, match });
  }

  remove(id: number): void {
    this.injector.remove(id);
  }

  clear(): void {
    this.injector.clear();
  }

  pending(): FaultSpec[] {
    return this.injector.list();
  }
}

/** A running simulator. Also usable in-process: folder(), reconcile(), createdDocuments(), callCounts()... */
export class SageX3Simulator {
  readonly clock: SimulatorClock;
  readonly auth: SimulatorAuth;
  readonly faults: SimulatorFaults;
  private readonly injector = new FaultInjector();
  private readonly folders = new Map<string, FolderStore>();
  private readonly created: CreatedDocument[] = [];
  private readonly counts = new Map<string, number>();
  private log: RequestLogEntry[] = [];
  private stat: SimulatorStats = emptyStats();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private server?: http.Server;
  private baseUrl = '';
  private capacity: SimulatorCapacity;
  /** Calls currently holding a pool process. */
  private inFlight = 0;

  constructor(private readonly options: SageX3SimulatorOptions = {}) {
    this.capacity = { ...options.capacity };
    this.clock = options.clock ?? new SimulatorClock();
    const seed = options.seed ?? (options.seedFile ? loadSeedFile(options.seedFile) : createDemoSeed());
    const stamps = new StampIssuer(this.clock, options.stampResolutionMs ?? 1);
    for (const folderSeed of seed.folders) {
      if (this.folders.has(folderSeed.name)) throw new SimulatorError(`folder ${folderSeed.name} defined twice`);
      this.folders.set(folderSeed.name, buildFolderStore(folderSeed, stamps, this.clock));
    }
    if (!this.folders.size) throw new SimulatorError('the seed defines no folder');
    this.auth = new SimulatorAuth(options.auth ?? seed.auth ?? {}, this.clock, () => `${this.url}/xtrem/api`);
    this.faults = new SimulatorFaults(this.injector);
  }

  get url(): string {
    return this.options.publicUrl ?? this.baseUrl;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async listen(): Promise<this> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          this.send(res, 500, {
            $diagnoses: [
              {
                $severity: 'fatal',
                $message: `Simulator error: ${error instanceof Error ? error.message : String(error)}`,
              },
            ],
          });
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${host}:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ------------------------------------------------------------ in-process helpers

  /** A folder's store (first folder by default): get/list/upsert/update/inactivate/delete records. */
  folder(name?: string): FolderStore {
    const store = name ? this.folders.get(name) : this.folders.values().next().value;
    if (!store) throw new SimulatorError(`unknown folder ${name ?? ''}`);
    return store;
  }

  folderNames(): string[] {
    return [...this.folders.keys()];
  }

  /** The AP team matched and validated the purchase invoice: STA becomes 2 (and UPDDATTIM moves). */
  reconcile(num: string, folder?: string): X3Record {
    const store = this.folder(folder);
    const invoice = store.get('PINVOICE', num);
    if (!invoice) throw new SimulatorError(`purchase invoice ${num} does not exist`);
    return store.update('PINVOICE', num, { STA: PINVOICE_STA_VALIDATED, MATSTA: 'matched' });
  }

  /** A published representation of a folder (first folder by default), to customise in a test. */
  representation(name: string, folder?: string): Representation {
    return this.folder(folder).representation(name);
  }

  /** A product's cost changed in X3 (ITMMASTER PURBASPRI; UPDDATTIM moves so polling sees it). */
  setProductCost(itmref: string, cost: string | number, folder?: string): X3Record {
    return this.folder(folder).update('ITMMASTER', itmref, { PURBASPRI: toDecimalString(cost) });
  }

  /** Changes the pool size / latency at run time (e.g. a demo's X3 outage or a benchmark's realistic pool). */
  setCapacity(capacity: SimulatorCapacity): void {
    this.capacity = { ...capacity };
  }

  getCapacity(): SimulatorCapacity {
    return { ...this.capacity };
  }

  /** Opens or closes a fiscal period (company, fiscal year, period number). */
  setPeriodOpen(cpy: string, fiy: string | number, per: number, open: boolean, folder?: string): X3Record {
    return this.folder(folder).update('PERIOD', `${cpy}~${fiy}~${per}`, { PERSTA: open ? 'open' : 'closed' });
  }

  /** Simulates an X3 user approving the connected app: a fresh refresh token (authorization-code outcome). */
  issueRefreshToken(clientId: string): { refreshToken: string; expiresAt: Date } {
    return this.auth.issueRefreshToken(clientId);
  }

  createdDocuments(filter: { folder?: string; className?: string; reference?: string } = {}): CreatedDocument[] {
    return this.created.filter(
      (d) =>
        (!filter.folder || d.folder === filter.folder) &&
        (!filter.className || d.className === filter.className) &&
        (filter.reference === undefined || d.reference === filter.reference),
    );
  }

  /** Calls per endpoint, e.g. `api1 POST GACCENTRY $create`, `graphql query`, `token refresh_token`. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  stats(): SimulatorStats {
    return {
      ...structuredClone(this.stat),
      faultsInjected: this.injector.injectedCount,
      documentsCreated: this.created.length,
      ...this.auth.counters,
    };
  }

  requestLog(): RequestLogEntry[] {
    return [...this.log];
  }

  resetStats(): void {
    this.counts.clear();
    this.log = [];
    this.stat = emptyStats();
    this.injector.injectedCount = 0;
    this.auth.counters = { refreshes: 0, invalidGrants: 0, revokedChains: 0 };
  }

  // ------------------------------------------------------------ HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    this.stat.requests++;
    if (url.pathname.startsWith('/__admin/')) return this.handleAdmin(req, res, url, method);
    if (url.pathname === '/v1/token') return this.handleToken(req, res, method);
    if (url.pathname.startsWith(API1_PREFIX)) return this.handleApi1(req, res, url, method);
    if (url.pathname === '/xtrem/api') return this.handleGraphql(req, res, method);
    this.record({ surface: 'other', method, path: url.pathname, status: 404, at: this.nowIso() });
    this.send(res, 404, diagnosesBody(`No route for ${method} ${url.pathname}`));
  }

  private async handleToken(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    const entry: RequestLogEntry = { surface: 'token', method, path: '/v1/token', at: this.nowIso() };
    if (method !== 'POST')
      return this.finish(res, entry, 405, { error: 'invalid_request', error_description: 'POST required' });
    const facts: RequestFacts = { surface: 'token', method };
    await this.applyLatency(facts);
    const raw = await this.readBody(req);
    const type = String(req.headers['content-type'] ?? '');
    let params: URLSearchParams;
    if (type.includes('application/json')) {
      const json = safeJson(raw);
      if (!isObject(json))
        return this.finish(res, entry, 400, { error: 'invalid_request', error_description: 'invalid JSON body' });
      params = new URLSearchParams(Object.entries(json).map(([k, v]) => [k, String(v)]));
    } else if (type.includes('application/x-www-form-urlencoded')) params = new URLSearchParams(raw);
    else
      return this.finish(res, entry, 400, { error: 'invalid_request', error_description: 'unsupported content type' });
    const pre = this.injector.takePre(facts);
    if (pre) return this.applyPreFault(req, res, entry, pre, 'token');
    const result = this.auth.tokenEndpoint(
      params,
      typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined,
    );
    this.count(`token ${result.grant || 'unknown'}`);
    if (result.status === 200 && (result.grant === 'client_credentials' || result.grant === 'refresh_token'))
      this.stat.tokenRequests[result.grant]++;
    else this.stat.tokenRequests.rejected++;
    res.setHeader('cache-control', 'no-store');
    this.finish(res, entry, result.status, result.body);
  }

  private authenticate(req: http.IncomingMessage, allowed: string[]): AuthCheck {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header) return { ok: false, reason: 'missing credentials' };
    if (header.startsWith('Basic ')) {
      if (!allowed.includes('basic')) return { ok: false, reason: 'Basic authentication is not accepted here' };
      return this.auth.checkBasic(header);
    }
    if (header.startsWith('Bearer ')) {
      const check = this.auth.checkBearer(header.slice(7).trim());
      if (check.ok && !allowed.includes(check.principal.mode))
        return { ok: false, reason: `${check.principal.mode} tokens are not accepted here` };
      return check;
    }
    return { ok: false, reason: 'unsupported authorization scheme' };
  }

  private async handleApi1(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const entry: RequestLogEntry = { surface: 'api1', method, path: url.pathname, at: this.nowIso() };
    let rest: string;
    try {
      rest = decodeURIComponent(url.pathname.slice(API1_PREFIX.length));
    } catch {
      return this.finish(res, entry, 400, diagnosesBody('Malformed URL'));
    }
    const slash = rest.indexOf('/');
    const folderName = slash < 0 ? rest : rest.slice(0, slash);
    const resource = slash < 0 ? '' : rest.slice(slash + 1);
    entry.folder = folderName;
    const store = this.folders.get(folderName);
    const target = parseApi1Resource(resource);
    const className =
      target?.kind === 'prototype' ? store?.representations.get(target.representation)?.className : target?.className;
    if (className) entry.className = className;
    const facts: RequestFacts = { surface: 'api1', method, folder: folderName, className };
    await this.applyLatency(facts);
    const auth = this.authenticate(req, store?.authModes.api1 ?? ['basic', 'oauth2', 'jwt']);
    if (!auth.ok) {
      this.stat.unauthorized.api1++;
      this.count('api1 401');
      res.setHeader('www-authenticate', 'Basic realm="Sage X3"');
      return this.finish(res, entry, 401, diagnosesBody(`Unauthorized: ${auth.reason}`));
    }
    entry.authMode = auth.principal.mode;
    if (!store) return this.finish(res, entry, 404, diagnosesBody(`Endpoint ${folderName} does not exist`));
    if (auth.principal.folders && !auth.principal.folders.includes(folderName)) {
      return this.finish(
        res,
        entry,
        403,
        diagnosesBody(`Access to endpoint ${folderName} is not allowed for this user`),
      );
    }
    if (!target) return this.finish(res, entry, 404, diagnosesBody(`Resource ${resource || '(none)'} not found`));
    const pre = this.injector.takePre(facts);
    if (pre) return this.applyPreFault(req, res, entry, pre, 'api1');
    const raw = method === 'POST' || method === 'PUT' ? await this.readBody(req) : '';
    const write = method === 'POST' || method === 'PUT';
    const admitted = await this.admit(entry, res, write ? 'create' : 'read');
    if (!admitted) return;
    let status: number;
    let body: unknown;
    const headers: Record<string, string> = {};
    try {
      if (write) this.stat.writes[className ?? '?'] = (this.stat.writes[className ?? '?'] ?? 0) + 1;
      else this.stat.reads++;
      ({ status, body } = this.api1(store, target, url, method, raw, auth.principal.user, headers));
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      status = error.status;
      body = error.body;
    } finally {
      admitted.release();
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const post = this.injector.takePost(facts);
    if (post) return this.applyPostFault(req, res, entry, post, status, body);
    this.finish(res, entry, status, body);
  }

  /**
   * Takes a process of the web-service pool for the call and waits its processing time; with every process busy
   * the call is refused as X3 does (HTTP 500 "No Web services accepted"). Undefined when refused (answer sent).
   */
  private async admit(
    entry: RequestLogEntry,
    res: http.ServerResponse,
    kind: 'create' | 'read',
  ): Promise<{ release: () => void } | undefined> {
    const { poolSize, latencyMs, delay } = this.capacity;
    if (poolSize && this.inFlight >= poolSize) {
      this.stat.poolRejections++;
      entry.fault = 'pool-full';
      this.finish(res, entry, 500, diagnosesBody('No Web services accepted'));
      return undefined;
    }
    this.inFlight++;
    this.stat.maxConcurrency = Math.max(this.stat.maxConcurrency, this.inFlight);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight--;
    };
    const ms = latencyMs?.[kind] ?? 0;
    if (ms > 0) {
      try {
        await (delay ?? ((t: number) => this.wait(t)))(ms);
      } catch (error) {
        release();
        throw error;
      }
    }
    return { release };
  }

  private api1(
    store: FolderStore,
    target: Api1Target,
    url: URL,
    method: string,
    raw: string,
    user: string,
    headers: Record<string, string>,
  ): { status: number; body: unknown } {
    if (target.kind === 'prototype') return this.prototype(store, target, method, url);
    const cls = target.className;
    if (!X3_CLASSES[cls]) throw new HttpFailure(404, diagnosesBody(`Class ${cls} not found`));
    const representation = url.searchParams.get('representation');
    const match = representation ? /^([A-Za-z0-9_]+)\.(\$[A-Za-z]+)$/.exec(representation) : null;
    const facet = match?.[2];
    this.count(`api1 ${method} ${cls} ${facet ?? '(no facet)'}`);
    if (!match)
      throw new HttpFailure(
        400,
        diagnosesBody('The representation parameter is missing or malformed (expected REPRESENTATION.$facet)'),
      );
    const repr = store.representations.get(match[1]);
    if (!repr) throw new HttpFailure(404, diagnosesBody(`Representation ${match[1]} not found`));
    if (repr.className !== cls)
      throw new HttpFailure(404, diagnosesBody(`Representation ${match[1]} is not published for class ${cls}`));
    const def = X3_CLASSES[cls];
    if (method === 'GET' && target.kind === 'collection' && facet === '$query')
      return { status: 200, body: this.query(store, repr, url) };
    if (method === 'GET' && target.kind === 'instance' && facet === '$details') {
      const record = store.get(cls, target.key);
      if (!record) throw new HttpFailure(404, diagnosesBody(`${cls} ${target.key}: record not found`));
      return { status: 200, body: this.details(store, repr, record) };
    }
    if (method === 'GET' && target.kind === 'template' && facet === '$create') {
      if (!def.creatable) throw new HttpFailure(405, diagnosesBody(`Creation is not available for class ${cls}`));
      return { status: 200, body: { $uuid: randomUUID(), ...repr.template(this.templateDefaults(cls)) } };
    }
    if (method === 'POST' && target.kind === 'collection' && facet === '$create') {
      if (!def.creatable) throw new HttpFailure(405, diagnosesBody(`Creation is not available for class ${cls}`));
      const body = safeJson(raw);
      if (!isObject(body)) throw new HttpFailure(400, diagnosesBody('The request body must be a JSON object'));
      const accepted = repr.accept(body);
      if (accepted.problems.length) {
        throw new HttpFailure(
          store.businessErrorStatus,
          diagnosesBody(accepted.problems.map((p) => ({ severity: 'error', message: p.message, path: p.path }))),
        );
      }
      const result = this.createDocument(store, cls, accepted.table, user, 'api1');
      if (!result.ok) throw new HttpFailure(store.businessErrorStatus, diagnosesBody(result.diagnoses));
      const key = store.keyOf(cls, result.record);
      headers['location'] = this.detailsUrl(store.name, cls, repr.name, key);
      return { status: 201, body: this.details(store, repr, result.record) };
    }
    if (method === 'PUT' && target.kind === 'instance' && facet === '$edit') {
      throw new HttpFailure(405, diagnosesBody('The $edit facet is not implemented by this simulator'));
    }
    throw new HttpFailure(
      400,
      diagnosesBody(
        `Facet ${facet} is not valid for ${method} on ${target.kind === 'instance' ? 'an instance' : target.kind}`,
      ),
    );
  }

  /** `$prototypes('REPR.$facet')`: the representation's fields with SData types and lengths. */
  private prototype(
    store: FolderStore,
    target: Extract<Api1Target, { kind: 'prototype' }>,
    method: string,
    url: URL,
  ): { status: number; body: unknown } {
    this.count(`api1 ${method} $prototypes ${target.facet}`);
    if (method !== 'GET') throw new HttpFailure(405, diagnosesBody('Prototypes are read-only'));
    const repr = store.representations.get(target.representation);
    if (!repr) throw new HttpFailure(404, diagnosesBody(`Representation ${target.representation} not found`));
    const facets: Facet[] = [
      '$query',
      '$details',
      ...(X3_CLASSES[repr.className].creatable ? ['$create' as const] : []),
    ];
    const facet = facets.find((f) => f === target.facet);
    if (!facet)
      throw new HttpFailure(404, diagnosesBody(`Facet ${target.facet} not found for representation ${repr.name}`));
    return { status: 200, body: repr.prototype(facet, `${this.url}${url.pathname}`) };
  }

  private templateDefaults(cls: string): X3Record {
    const today = new Date(this.clock.now()).toISOString().slice(0, 10);
    if (cls === 'GACCENTRY') return { ACCDAT: today, STA: 1 };
    if (cls === 'PINVOICE') return { BPRDAT: today, ACCDAT: today, AMTNOT: '0' };
    if (cls === 'BPSUPPLIER') return { ENAFLG: 2 };
    return {};
  }

  private createDocument(
    store: FolderStore,
    cls: string,
    body: X3Record,
    user: string,
    via: 'api1' | 'graphql',
  ): RuleResult {
    const result =
      cls === 'GACCENTRY'
        ? validateJournalEntry(store, body)
        : cls === 'PINVOICE'
          ? validatePurchaseInvoice(store, body)
          : cls === 'BPSUPPLIER'
            ? validateSupplier(store, body)
            : undefined;
    if (!result)
      return { ok: false, diagnoses: [{ severity: 'error', message: `Creation is not available for class ${cls}` }] };
    if (!result.ok) return result;
    const stored = store.insert(cls, result.record, { user });
    this.created.push({
      folder: store.name,
      className: cls,
      key: store.keyOf(cls, stored),
      reference: String(stored['REF'] ?? ''),
      via,
      at: String(stored['CREDATTIM']),
      record: structuredClone(stored),
    });
    return { ok: true, record: stored };
  }

  private query(store: FolderStore, repr: Representation, url: URL): Record<string, unknown> {
    const cls = repr.className;
    const fieldExists = (f: string): boolean => !!repr.queryField(f);
    const countParam = url.searchParams.get('count');
    const count = countParam === null ? 20 : Number(countParam);
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new HttpFailure(400, diagnosesBody(`Invalid count parameter: ${countParam}`));
    let where: WhereNode | undefined;
    let order: OrderTerm[] = [];
    try {
      const w = url.searchParams.get('where');
      if (w !== null && w.trim()) where = parseWhere(w, fieldExists);
      const o = url.searchParams.get('orderBy');
      if (o !== null && o.trim()) order = parseOrderBy(o, fieldExists);
    } catch (error) {
      // X3 answers a filter or sort on a property the representation lacks with a server error (HTTP 500).
      if (error instanceof SdataUnknownPropertyError)
        throw new HttpFailure(
          500,
          diagnosesBody(`Property '${error.property}' does not exist in representation ${repr.name} ($query)`),
        );
      if (error instanceof SdataSyntaxError) throw new HttpFailure(400, diagnosesBody(error.message));
      throw error;
    }
    const keyParam = url.searchParams.get('key');
    const keyMatch = keyParam === null ? null : /^gt\.(.*)$/s.exec(keyParam);
    if (keyParam !== null && !keyMatch)
      throw new HttpFailure(400, diagnosesBody(`Unsupported key parameter ${keyParam} (expected gt.KEY)`));
    interface Row {
      key: string;
      record: X3Record;
      view: X3Record;
    }
    const toRow = (record: X3Record): Row => ({
      key: store.keyOf(cls, record),
      record,
      view: repr.publish(record, '$query'),
    });
    const compare = (a: Row, b: Row): number => {
      for (const t of order) {
        const c = compareValues(a.view[t.field], b.view[t.field]);
        if (c !== 0) return t.desc ? -c : c;
      }
      return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    };
    let rows = store
      .list(cls)
      .map(toRow)
      .filter((r) => !where || evaluateWhere(where, r.view));
    rows.sort(compare);
    if (keyMatch) {
      const afterKey = keyMatch[1];
      const anchorRecord = store.get(cls, afterKey);
      // Resume after the anchor's position in this ordering; if it was deleted, fall back to key order.
      const anchor = anchorRecord ? toRow(anchorRecord) : undefined;
      rows = anchor ? rows.filter((r) => compare(r, anchor) > 0) : rows.filter((r) => r.key > afterKey);
    }
    const page = rows.slice(0, count);
    const links: Record<string, unknown> = {};
    if (rows.length > count) {
      const next = new URL(`${this.url}${API1_PREFIX}${encodeURIComponent(store.name)}/${cls}`);
      for (const [k, v] of url.searchParams) if (k !== 'key') next.searchParams.append(k, v);
      next.searchParams.set('key', `gt.${page[page.length - 1].key}`);
      links['$next'] = { $url: next.toString(), $type: 'application/json; vnd.sage=syracuse' };
    }
    return {
      $itemsPerPage: count,
      $resources: page.map((r) =>
        this.decorate(store, cls, {
          $uuid: r.record['$uuid'],
          $key: r.key,
          $url: this.detailsUrl(store.name, cls, repr.name, r.key),
          ...r.view,
        }),
      ),
      $links: links,
    };
  }

  private details(store: FolderStore, repr: Representation, record: X3Record): X3Record {
    const cls = repr.className;
    const key = store.keyOf(cls, record);
    const out: X3Record = {
      $uuid: record['$uuid'],
      $etag: String(record['UPDDATTIM']),
      $key: key,
      $url: this.detailsUrl(store.name, cls, repr.name, key),
      ...repr.publish(record, '$details'),
    };
    return this.decorate(store, cls, out);
  }

  /** Reference fields come with `FIELD_REF.$title`, as X3 publishes them. */
  private decorate(store: FolderStore, cls: string, out: X3Record): X3Record {
    const title = (className: string, key: unknown, field: string): { $title: string } | undefined => {
      const rec = typeof key === 'string' ? store.get(className, key) : undefined;
      return rec ? { $title: String(rec[field] ?? '') } : undefined;
    };
    if ((cls === 'PORDER' || cls === 'PRECEIPT') && 'BPSNUM' in out)
      out['BPSNUM_REF'] = title('BPSUPPLIER', out['BPSNUM'], 'BPSNAM');
    if (cls === 'PINVOICE' && 'BPR' in out) out['BPR_REF'] = title('BPSUPPLIER', out['BPR'], 'BPSNAM');
    if (cls === 'GACCENTRY') {
      if ('JOU' in out) out['JOU_REF'] = title('GJOURNAL', out['JOU'], 'DES');
      if (Array.isArray(out['GACCENTRYD'])) {
        out['GACCENTRYD'] = (out['GACCENTRYD'] as X3Record[]).map((l) => ({
          ...l,
          ACC_REF: title('GACCOUNT', l['ACC'], 'DES'),
        }));
      }
    }
    return out;
  }

  private detailsUrl(folder: string, cls: string, representation: string, key: string): string {
    return `${this.url}${API1_PREFIX}${encodeURIComponent(folder)}/${cls}('${encodeURIComponent(key.replace(/'/g, "''"))}')?representation=${representation}.$details`;
  }

  private async handleGraphql(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    const endpoint = typeof req.headers['x-xtrem-endpoint'] === 'string' ? req.headers['x-xtrem-endpoint'] : undefined;
    const entry: RequestLogEntry = {
      surface: 'graphql',
      method,
      path: '/xtrem/api',
      folder: endpoint,
      at: this.nowIso(),
    };
    if (method !== 'POST') return this.finish(res, entry, 405, { errors: [{ message: 'Only POST is supported' }] });
    const facts: RequestFacts = { surface: 'graphql', method, folder: endpoint };
    await this.applyLatency(facts);
    const store = endpoint ? this.folders.get(endpoint) : undefined;
    const auth = this.authenticate(req, store?.authModes.graphql ?? ['oauth2', 'jwt']);
    if (!auth.ok) {
      this.stat.unauthorized.graphql++;
      this.count('graphql 401');
      return this.finish(res, entry, 401, { message: 'Unauthorised' });
    }
    entry.authMode = auth.principal.mode;
    if (!endpoint) return this.finish(res, entry, 400, { errors: [{ message: 'Missing x-xtrem-endpoint header' }] });
    if (!store) return this.finish(res, entry, 400, { errors: [{ message: `Unknown endpoint '${endpoint}'` }] });
    if (auth.principal.folders && !auth.principal.folders.includes(endpoint)) {
      return this.finish(res, entry, 403, { errors: [{ message: `Access to endpoint '${endpoint}' is not allowed` }] });
    }
    if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
      return this.finish(res, entry, 400, { errors: [{ message: 'content-type must be application/json' }] });
    }
    const pre = this.injector.takePre(facts);
    if (pre) return this.applyPreFault(req, res, entry, pre, 'graphql');
    const raw = await this.readBody(req);
    const body = safeJson(raw);
    const text = isObject(body) && typeof body['query'] === 'string' ? body['query'] : '';
    const admitted = await this.admit(entry, res, /^\s*mutation\b/.test(text) ? 'create' : 'read');
    if (!admitted) return;
    let result: ReturnType<typeof executeGraphql> | { status: number; body: unknown; operation: undefined };
    try {
      result =
        body === undefined
          ? { status: 400, body: { errors: [{ message: 'Body is not valid JSON' }] }, operation: undefined }
          : executeGraphql(body, {
              store,
              create: (cls, input) => {
                this.stat.writes[cls] = (this.stat.writes[cls] ?? 0) + 1;
                return this.createDocument(store, cls, input, auth.principal.user, 'graphql');
              },
            });
    } finally {
      admitted.release();
    }
    if (result.operation === 'query') this.stat.reads++;
    this.count(`graphql ${result.operation ?? 'invalid'}`);
    const post = this.injector.takePost(facts);
    if (post) return this.applyPostFault(req, res, entry, post, result.status, result.body);
    this.finish(res, entry, result.status, result.body);
  }

  // ------------------------------------------------------------ admin

  private async handleAdmin(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const entry: RequestLogEntry = { surface: 'admin', method, path: url.pathname, at: this.nowIso() };
    if (this.options.adminToken && req.headers['x-admin-token'] !== this.options.adminToken) {
      return this.finish(res, entry, 401, { error: 'admin token required' });
    }
    const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const raw = method === 'GET' || method === 'DELETE' ? '' : await this.readBody(req);
    const body = raw ? safeJson(raw) : {};
    if (raw && body === undefined) return this.finish(res, entry, 400, { error: 'invalid JSON' });
    const input = isObject(body) ? body : {};
    try {
      const [head, a, b, c, d] = parts;
      if (head === 'stats' && method === 'GET')
        return this.finish(res, entry, 200, { stats: this.stats(), calls: this.callCounts() });
      if (head === 'calls' && method === 'GET') return this.finish(res, entry, 200, this.callCounts());
      if (head === 'requests' && method === 'GET') return this.finish(res, entry, 200, this.requestLog());
      if (head === 'reset-stats' && method === 'POST') {
        this.resetStats();
        return this.finish(res, entry, 204, undefined);
      }
      if (head === 'documents' && method === 'GET') {
        return this.finish(
          res,
          entry,
          200,
          this.createdDocuments({
            folder: url.searchParams.get('folder') ?? undefined,
            className: url.searchParams.get('className') ?? undefined,
            reference: url.searchParams.get('reference') ?? undefined,
          }),
        );
      }
      if (head === 'faults') {
        if (method === 'GET') return this.finish(res, entry, 200, this.faults.pending());
        if (method === 'DELETE') {
          this.faults.clear();
          return this.finish(res, entry, 204, undefined);
        }
        if (method === 'POST') {
          const spec = input as unknown as FaultSpec & { persistent?: boolean };
          const id = this.faults.inject({ ...spec, count: spec.persistent ? Infinity : spec.count });
          return this.finish(res, entry, 201, { id });
        }
      }
      if (head === 'capacity') {
        if (method === 'POST') {
          const pool = input['poolSize'];
          const latency = isObject(input['latencyMs']) ? input['latencyMs'] : {};
          const num = (v: unknown, what: string): number | undefined => {
            if (v === undefined || v === null) return undefined;
            if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
              throw new RangeError(`${what} must be a number >= 0`);
            return v;
          };
          this.setCapacity({
            poolSize: num(pool, 'poolSize'),
            latencyMs: {
              create: num(latency['create'], 'latencyMs.create'),
              read: num(latency['read'], 'latencyMs.read'),
            },
          });
        }
        const { poolSize, latencyMs } = this.capacity;
        return this.finish(res, entry, 200, {
          poolSize: poolSize ?? 0,
          latencyMs: latencyMs ?? {},
          inFlight: this.inFlight,
        });
      }
      if (head === 'clock') {
        if (method === 'POST') {
          if (typeof input['advanceMs'] === 'number') this.clock.advance(input['advanceMs']);
          if (typeof input['set'] === 'string' || typeof input['set'] === 'number') this.clock.set(input['set']);
        }
        return this.finish(res, entry, 200, { now: new Date(this.clock.now()).toISOString() });
      }
      if (head === 'oauth2' && a === 'refresh-tokens' && method === 'POST') {
        return this.finish(res, entry, 201, this.issueRefreshToken(String(input['clientId'] ?? '')));
      }
      if (head === 'oauth2' && a === 'revoke-access-tokens' && method === 'POST') {
        this.auth.revokeAccessTokens();
        return this.finish(res, entry, 204, undefined);
      }
      if (head === 'folders' && a) {
        const store = this.folder(a);
        if (b === 'reconcile' && c && method === 'POST') return this.finish(res, entry, 200, this.reconcile(c, a));
        if (b === 'representations' && c && !d && method === 'POST') {
          // { class?, remove?, rename?, maxLength?, add? }: publish (when class is given) and customise.
          const cls = typeof input['class'] === 'string' ? input['class'] : undefined;
          const repr = cls ? store.publishRepresentation(c, cls) : store.representation(c);
          repr.customise(input as RepresentationCustomisation);
          return this.finish(res, entry, 200, repr.prototype('$details', `${this.url}${url.pathname}`));
        }
        if (b && !c && method === 'GET') return this.finish(res, entry, 200, store.list(b));
        if (b && !c && method === 'POST') return this.finish(res, entry, 200, store.upsert(b, input));
        if (b && c && !d && method === 'GET') {
          const rec = store.get(b, c);
          return this.finish(res, entry, rec ? 200 : 404, rec ?? { error: 'not found' });
        }
        if (b && c && !d && method === 'PATCH') return this.finish(res, entry, 200, store.update(b, c, input));
        if (b && c && d === 'inactivate' && method === 'POST')
          return this.finish(res, entry, 200, store.inactivate(b, c));
        if (b && c && !d && method === 'DELETE')
          return this.finish(res, entry, store.delete(b, c) ? 204 : 404, undefined);
      }
      return this.finish(res, entry, 404, { error: `no admin route ${method} ${url.pathname}` });
    } catch (error) {
      if (
        error instanceof SimulatorError ||
        error instanceof RangeError ||
        (error instanceof Error && error.message.startsWith('unknown OAuth2 client'))
      ) {
        return this.finish(res, entry, 400, { error: error.message });
      }
      throw error;
    }
  }

  // ------------------------------------------------------------ plumbing

  private async applyLatency(facts: RequestFacts): Promise<void> {
    const ms = this.injector.takeLatency(facts);
    if (ms > 0) await this.wait(ms);
  }

  /** Answers an injected fault in the surface's own error format; nothing is applied. */
  private applyPreFault(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RequestLogEntry,
    fault: FaultSpec,
    surface: FaultSurface,
  ): void {
    entry.fault = fault.kind;
    if (fault.kind === 'destroy-before') {
      this.record(entry);
      req.socket.destroy();
      return;
    }
    const status = fault.kind === 'diagnosis' ? (fault.status ?? 500) : 500;
    const severity = fault.severity ?? 'error';
    const message =
      fault.kind === 'pool-exhausted' ? 'No Web services accepted' : (fault.message ?? 'Internal server error');
    if (surface === 'token') {
      return this.finish(res, entry, status, { error: 'server_error', error_description: message });
    }
    if (surface === 'graphql') {
      if (fault.kind === 'diagnosis')
        return this.finish(res, entry, status, {
          errors: [{ message, extensions: { code: 'data-input-error', diagnoses: [{ severity, message }] } }],
          data: null,
        });
      return this.finish(res, entry, 500, {
        $severity: 'error',
        $dataCode: 'InternalServerError',
        $message: message,
        $source: 'Gateway',
      });
    }
    if (fault.kind === 'http-500') {
      // A crash: no SData diagnosis, just the server's own page.
      entry.status = 500;
      this.record(entry);
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
      return;
    }
    this.finish(
      res,
      entry,
      status,
      diagnosesBody([{ severity: fault.kind === 'diagnosis' ? severity : 'error', message }]),
    );
  }

  private applyPostFault(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RequestLogEntry,
    fault: FaultSpec,
    status: number,
    body: unknown,
  ): void {
    entry.fault = fault.kind;
    if (fault.kind === 'commit-then-destroy') {
      entry.status = status;
      this.record(entry);
      req.socket.destroy();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed && !res.writableEnded) this.finish(res, entry, status, body);
    }, fault.delayMs ?? 5_000);
    this.timers.add(timer);
  }

  private finish(res: http.ServerResponse, entry: RequestLogEntry, status: number, body: unknown): void {
    entry.status = status;
    this.record(entry);
    this.send(res, status, body);
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private readBody(req: http.IncomingMessage): Promise<string> {
    const limit = this.options.maxBodyBytes ?? 5 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          reject(new HttpFailure(413, diagnosesBody('Request body too large')));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }
}

type Api1Target =
  | { kind: 'collection' | 'template'; className: string }
  | { kind: 'instance'; className: string; key: string }
  | { kind: 'prototype'; className?: undefined; representation: string; facet: string };

/** `CLASS`, `CLASS('KEY')` (quotes doubled inside), `CLASS/$template` or `$prototypes('REPR.$facet')`. */
function parseApi1Resource(resource: string): Api1Target | undefined {
  let m = /^([A-Za-z0-9_]+)$/.exec(resource);
  if (m) return { kind: 'collection', className: m[1] };
  m = /^\$prototypes\('([A-Za-z0-9_]+)\.(\$[A-Za-z]+)'\)$/.exec(resource);
  if (m) return { kind: 'prototype', representation: m[1], facet: m[2] };
  m = /^([A-Za-z0-9_]+)\('((?:[^']|'')*)'\)$/.exec(resource);
  if (m) return { kind: 'instance', className: m[1], key: m[2].replace(/''/g, "'") };
  m = /^([A-Za-z0-9_]+)\/\$template$/.exec(resource);
  if (m) return { kind: 'template', className: m[1] };
  return undefined;
}

function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    unauthorized: { api1: 0, graphql: 0 },
    tokenRequests: { client_credentials: 0, refresh_token: 0, rejected: 0 },
    faultsInjected: 0,
    documentsCreated: 0,
    writes: {},
    reads: 0,
    poolRejections: 0,
    maxConcurrency: 0,
    refreshes: 0,
    invalidGrants: 0,
    revokedChains: 0,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadSeedFile(path: string): SageX3SeedFile {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isObject(parsed) || !Array.isArray(parsed['folders']))
    throw new SimulatorError(`${path}: a seed file needs a "folders" array`);
  return parsed as unknown as SageX3SeedFile;
}

/** Starts a simulator on 127.0.0.1 (port 0 by default). Close it with `await sim.close()`. */
export async function startSageX3Simulator(options: SageX3SimulatorOptions = {}): Promise<SageX3Simulator> {
  return new SageX3Simulator(options).listen();
}
