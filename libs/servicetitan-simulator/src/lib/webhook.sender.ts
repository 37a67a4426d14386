import { createHmac } from 'node:crypto';

/** ServiceTitan's documented re-delivery schedule after a failed delivery, in seconds. */
export const SERVICETITAN_WEBHOOK_RETRY_SCHEDULE_SECONDS: readonly number[] = [10, 30, 60, 300];

export type SignatureEncoding = 'hex' | 'base64';

export interface WebhookSendRequest {
  url: string;
  /** HMAC key; when absent the request is not signed. */
  secret?: string;
  /** Default `x-servicetitan-signature` (unconfirmed upstream, hence configurable). */
  headerName?: string;
  /** Default `hex`. */
  encoding?: SignatureEncoding;
  /** An object is serialised once with JSON.stringify; a string/Buffer is sent byte for byte. */
  body: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface WebhookAttempt {
  attempt: number;
  /** Epoch ms when the attempt started. */
  at: number;
  /** Delay (scaled, ms) waited before this attempt; 0 for the first. */
  delayBeforeMs: number;
  status?: number;
  error?: string;
  ok: boolean;
}

export interface WebhookDelivery {
  readonly id: number;
  readonly url: string;
  readonly rawBody: Buffer;
  readonly signature?: string;
  readonly attempts: WebhookAttempt[];
  /** delivered = an HTTP 200 was received; failed = every scheduled attempt failed; cancelled = sender closed. */
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  /** Settles when the delivery is delivered, failed or cancelled (never rejects). */
  readonly done: Promise<WebhookDelivery>;
}

export interface WebhookSenderOptions {
  /** Multiplies every scheduled delay (e.g. 0.001 turns 10 s into 10 ms). Default 1. */
  timeScale?: number;
  /** Default [10, 30, 60, 300] seconds. */
  retryScheduleSeconds?: readonly number[];
  /** Per-attempt timeout in ms. Default 10 000. */
  attemptTimeoutMs?: number;
  /**
   * Answers that count as delivered. Default `[200]`: ServiceTitan's webhook docs ask for "an HTTP 200 OK" and its
   * FAQ treats anything else (a 202 or 204 included) as a failed delivery that is sent again.
   */
  deliveredStatuses?: readonly number[];
  fetch?: typeof fetch;
  clock?: () => number;
}

/** HMAC-SHA256 of the exact raw body bytes. */
export function signWebhookBody(rawBody: Buffer | string, secret: string, encoding: SignatureEncoding = 'hex'): string {
  return createHmac('sha256', secret).update(rawBody).digest(encoding);
}

/**
 * Sends webhooks the way ServiceTitan does: signed raw body, HTTP 200 = delivered, anything else (another 2xx, a
 * 4xx/5xx or a connection error) is re-delivered after 10, 30, 60 and 300 s (scaled by `timeScale`). Every attempt
 * is recorded.
 */
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly timeScale: number;
  private readonly schedule: readonly number[];
  private readonly attemptTimeoutMs: number;
  private readonly deliveredStatuses: ReadonlySet<number>;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: () => number;
  private readonly timers = new Set<{
    timer: NodeJS.Timeout;
    cancel: () => void;
  }>();
  private closed = false;
  private nextId = 1;

  constructor(options: WebhookSenderOptions = {}) {
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale >= 0)) throw new RangeError('timeScale must be >= 0');
    this.schedule = options.retryScheduleSeconds ?? SERVICETITAN_WEBHOOK_RETRY_SCHEDULE_SECONDS;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.deliveredStatuses = new Set(options.deliveredStatuses ?? [200]);
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.clock = options.clock ?? Date.now;
  }

  /** Starts a delivery; await `delivery.done` for the outcome. */
  send(request: WebhookSendRequest): WebhookDelivery {
    if (this.closed) throw new Error('webhook sender is closed');
    const rawBody = toRawBody(request.body);
    const headerName = (request.headerName ?? 'x-servicetitan-signature').toLowerCase();
    const signature =
      request.secret === undefined ? undefined : signWebhookBody(rawBody, request.secret, request.encoding ?? 'hex');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...request.headers,
    };
    if (signature !== undefined) headers[headerName] = signature;
    const attempts: WebhookAttempt[] = [];
    const delivery: {
      -readonly [K in keyof WebhookDelivery]: WebhookDelivery[K];
    } = {
      id: this.nextId++,
      url: request.url,
      rawBody,
      signature,
      attempts,
      state: 'pending',
      done: Promise.resolve(undefined as unknown as WebhookDelivery),
    };
    delivery.done = this.run(delivery, headers);
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Resolves when every delivery started so far has settled. */
  async waitForIdle(): Promise<void> {
    await Promise.all(this.deliveries.map((d) => d.done));
  }

  /** Cancels pending re-deliveries. */
  close(): void {
    this.closed = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.cancel();
    }
    this.timers.clear();
  }

  private async run(
    delivery: WebhookDelivery & { state: WebhookDelivery['state'] },
    headers: Record<string, string>,
  ): Promise<WebhookDelivery> {
    const total = this.schedule.length + 1;
    for (let attempt = 1; attempt <= total; attempt++) {
      const delayBeforeMs = attempt === 1 ? 0 : Math.round((this.schedule[attempt - 2] ?? 0) * 1000 * this.timeScale);
      if (delayBeforeMs > 0 || attempt > 1) {
        const proceeded = await this.wait(delayBeforeMs);
        if (!proceeded) {
          delivery.state = 'cancelled';
          return delivery;
        }
      }
      const record: WebhookAttempt = {
        attempt,
        at: this.clock(),
        delayBeforeMs,
        ok: false,
      };
      try {
        const response = await this.fetchImpl(delivery.url, {
          method: 'POST',
          headers,
          body: new Uint8Array(delivery.rawBody),
          signal: AbortSignal.timeout(this.attemptTimeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        record.status = response.status;
        record.ok = this.deliveredStatuses.has(response.status);
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      delivery.attempts.push(record);
      if (record.ok) {
        delivery.state = 'delivered';
        return delivery;
      }
    }
    delivery.state = 'failed';
    return delivery;
  }

  private wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve(true);
        }, ms),
        cancel: () => resolve(false),
      };
      this.timers.add(entry);
    });
  }
}

function toRawBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}
