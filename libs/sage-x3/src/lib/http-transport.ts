import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { X3NetworkError, X3TimeoutError } from './sage-x3.errors';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Thin node:http(s) transport. Node's own agents are used (not global fetch) so a per-tenant CA can be
 * pinned and so we know whether a failed request had been fully sent (decides "outcome unknown").
 */
export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: { caPem?: string[]; maxSockets: number }) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      // A custom CA is added to, not substituted for, the public roots (some tenants front X3 with a public cert).
      ...(options.caPem ? { ca: [...rootCertificates, ...options.caPem] } : {}),
    });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const lib = isHttps ? https : http;
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      let sent = false;
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const clientRequest = lib.request(req.url, {
        method: req.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      const timer = setTimeout(() => {
        finish(() =>
          reject(new X3TimeoutError(`${req.method} ${describe(req.url)} timed out after ${req.timeoutMs} ms`, sent)),
        );
        clientRequest.destroy();
      }, req.timeoutMs);
      clientRequest.on('finish', () => {
        sent = true;
      });
      clientRequest.on('error', (err: NodeJS.ErrnoException) => {
        finish(() =>
          reject(
            new X3NetworkError(`${req.method} ${describe(req.url)} failed: ${err.code ?? err.message}`, {
              code: err.code,
              // Refused/unresolvable connections never reached X3; anything after the body was sent might have.
              outcomeUnknown: sent && err.code !== 'ECONNREFUSED' && err.code !== 'ENOTFOUND',
              cause: err,
            }),
          ),
        );
      });
      clientRequest.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new Error('response too large'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) =>
          finish(() =>
            reject(
              new X3NetworkError(
                `${req.method} ${describe(req.url)}: response interrupted (${err.code ?? err.message})`,
                {
                  code: err.code,
                  outcomeUnknown: true,
                  cause: err,
                },
              ),
            ),
          ),
        );
        res.on('aborted', () =>
          finish(() =>
            reject(
              new X3NetworkError(`${req.method} ${describe(req.url)}: response aborted`, {
                code: 'ECONNRESET',
                outcomeUnknown: true,
              }),
            ),
          ),
        );
        res.on('end', () =>
          finish(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
      });
      if (req.body !== undefined) clientRequest.write(req.body);
      clientRequest.end();
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** URL without the query string (queries may carry references; keep logs short and free of data). */
export function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
