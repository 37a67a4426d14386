import { request as httpRequest } from 'node:http';
import { MetricsService } from '@connector/observability';
import { INestApplication } from '@nestjs/common';

/**
 * A table-driven suite of hostile HTTP inputs against a running app (issue 10: "every malformed input gets a 4xx with
 * the reason, never a 500, and nothing is produced or posted"). One harness for every HTTP surface: the audit API
 * half and the webhook-gateway half use the same cases format and the same checks.
 *
 * Requests go out through node:http exactly as written (no URL normalisation: "/console/../x", "%00" and raw bytes
 * reach the server as they are).
 */
export interface HostileRequest {
  method?: string;
  /** Path and query exactly as sent (not normalised). */
  path: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON (Content-Type application/json unless given). */
  body?: string | Buffer | unknown;
}

export interface HostileCase {
  /** What is hostile about it (the test name). */
  name: string;
  /** The request; a function is called when the case runs (ids known only after set-up). */
  request: HostileRequest | (() => HostileRequest);
  /** Expected status, or any of several. Never a 5xx: that is checked for every case whatever is expected. */
  status: number | number[];
  /** For a 4xx: the reason the body must give (substring or pattern). Every 4xx must give some reason unless `bare`. */
  reason?: string | RegExp;
  /** A refusal by the HTTP layer itself (431, 414…) that has no body to give a reason in. */
  bare?: boolean;
}

/** The app under attack, and the side effects that must not happen (counters read before and after each case). */
export interface HostileTarget {
  baseUrl: string;
  /** e.g. { produced: …, replays: …, actions: … }: every value must be unchanged by every case. */
  sideEffects(): Promise<Record<string, number>>;
}

export interface HostileResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The sum of a metric's values over all its labels in an app under test (a side-effect counter); 0 if never set. */
export async function metricTotal(app: INestApplication, name: string): Promise<number> {
  const metric = app.get(MetricsService).registry.getSingleMetric(name);
  return metric ? (await metric.get()).values.reduce((n, v) => n + v.value, 0) : 0;
}

/** Sends one request exactly as written. */
export function sendRaw(baseUrl: string, req: HostileRequest): Promise<HostileResponse> {
  const url = new URL(baseUrl);
  let body: Buffer | undefined;
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.body !== undefined) {
    if (Buffer.isBuffer(req.body)) body = req.body;
    else if (typeof req.body === 'string') body = Buffer.from(req.body);
    else {
      body = Buffer.from(JSON.stringify(req.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    }
    headers['Content-Length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method ?? (body ? 'POST' : 'GET'), path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

/**
 * The reason a 4xx answer gives: Nest's JSON `message` (string or list), or a `reason` code with its `error` text
 * (the webhook-gateway's answers), else the body text.
 */
export function reasonOf(res: HostileResponse): string {
  try {
    const body = JSON.parse(res.text) as { message?: unknown; error?: unknown; reason?: unknown };
    const message = body.message ?? body.error;
    const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : '';
    const reason = typeof body.reason === 'string' ? body.reason : '';
    if (reason || text) return reason && text ? `${reason}: ${text}` : reason || text;
  } catch {
    /* not JSON */
  }
  return res.text;
}

/**
 * Registers one jest test per case. `target` is called when the cases run (after the suite's beforeAll).
 */
export function describeHostileInputs(title: string, target: () => HostileTarget, cases: HostileCase[]): void {
  describe(title, () => {
    const names = new Set<string>();
    for (const c of cases) {
      if (names.has(c.name)) throw new Error(`hostile case named twice: ${c.name}`);
      names.add(c.name);
    }
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const t = target();
      const before = await t.sideEffects();
      const req = typeof c.request === 'function' ? c.request() : c.request;
      const res = await sendRaw(t.baseUrl, req);
      const expected = Array.isArray(c.status) ? c.status : [c.status];
      const detail = `${req.method ?? 'GET'} ${req.path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 300)}`;
      if (res.status >= 500 || !expected.includes(res.status))
        throw new Error(`expected ${expected.join(' or ')}, got ${res.status}: ${detail}`);
      if (res.status >= 400 && !c.bare) {
        const reason = reasonOf(res);
        if (!reason.trim()) throw new Error(`a ${res.status} without a reason: ${detail}`);
        if (c.reason !== undefined) expect(reason).toMatch(c.reason);
      }
      expect(await t.sideEffects()).toEqual(before);
    });
  });
}
