import { EnvBoolean, TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the webhook-gateway (validated at boot). */
export class WebhookGatewayEnv extends TenantEnv {
  /**
   * How long a (tenant, event id) is remembered to answer re-deliveries without a second trigger (s). Rebuilt from
   * the command topic at start (its retention, 7 days, bounds it); ServiceTitan retries for ~400 s.
   */
  @IsInt() @Min(60) WEBHOOK_DEDUPE_TTL_SECONDS: number = 3600;
  /** Upper bound of remembered event ids (memory cap). */
  @IsInt() @Min(1000) @Max(10_000_000) WEBHOOK_DEDUPE_MAX_ENTRIES: number = 500_000;
  /**
   * Longest wait for Kafka's acknowledgement of a webhook trigger (ms). Beyond it the webhook is answered 503 with
   * Retry-After and the gateway reports not-ready until Kafka acknowledges again; keep it well below ServiceTitan's
   * delivery timeout (~10 s).
   */
  @IsInt() @Min(100) @Max(9000) WEBHOOK_ACK_TIMEOUT_MS: number = 2000;
  /** Retry-After of a 503 (s): when ServiceTitan may deliver again. */
  @IsInt() @Min(1) @Max(3600) WEBHOOK_RETRY_AFTER_SECONDS: number = 30;
  /** While Kafka does not acknowledge: how often the command topic's leaders are probed to become ready again (ms). */
  @IsInt() @Min(100) @Max(60_000) WEBHOOK_KAFKA_PROBE_MS: number = 1000;
  /** Deepest nesting of objects and arrays a webhook body may have (a V1 body has ~5 levels); deeper is a 400. */
  @IsInt() @Min(4) @Max(1000) WEBHOOK_MAX_DEPTH: number = 32;
  /** Most object keys a webhook body may have in total (a V1 job body with 300 invoice items has ~10,000). */
  @IsInt() @Min(100) @Max(10_000_000) WEBHOOK_MAX_KEYS: number = 50_000;
  /** Run the scheduled ServiceTitan feed reads (per tenant interval from the tenants file); triggers work either way. */
  @EnvBoolean(true) ST_PULL_ENABLED: boolean = true;
  /** Delay before the first scheduled read after start (ms). */
  @IsInt() @Min(0) ST_PULL_INITIAL_DELAY_MS: number = 5000;
  /** How often each owned tenant checks for due work: feed reads, triggered reads, write-backs (ms). */
  @IsInt() @Min(50) @Max(60_000) ST_TICK_MS: number = 1000;
  /**
   * Webhook triggers are batched: the feeds they name are read once this many distinct entities are pending, or
   * ST_TRIGGER_MAX_DELAY_MS after the first pending one. A lone job costs ≤ 3 calls (jobs, invoices, gross pay
   * items); from ~1,000 jobs/hour up, ≤ 0.1 calls per job (docs/architecture.md).
   */
  @IsInt() @Min(1) @Max(10_000) ST_TRIGGER_BATCH: number = 30;
  /** Longest wait of a pending trigger before its feeds are read (ms). */
  @IsInt() @Min(0) @Max(3_600_000) ST_TRIGGER_MAX_DELAY_MS: number = 120_000;
  /**
   * A new owner of a tenant (after a rebalance) waits this long before calling ServiceTitan, so the previous owner's
   * in-flight request (bounded by ST_REQUEST_TIMEOUT_MS) has ended: one caller per tenant, one 60/s budget (ms).
   */
  @IsInt() @Min(0) @Max(600_000) ST_OWNER_HANDOVER_GRACE_MS: number = 35_000;
  /** ServiceTitan API: per-request timeout (ms); keep it below ST_OWNER_HANDOVER_GRACE_MS. */
  @IsInt() @Min(1000) @Max(110_000) ST_REQUEST_TIMEOUT_MS: number = 30_000;
  /** ServiceTitan API: requests per second per (app key, tenant) from the owner (the API allows 60). */
  @IsInt() @Min(1) @Max(60) ST_MAX_REQUESTS_PER_SECOND: number = 60;
  /** ServiceTitan API: retries of one request (429 with Retry-After, 5xx, timeouts) before the read fails. */
  @IsInt() @Min(0) @Max(10) ST_MAX_RETRIES: number = 6;
  /** Write-back: marks wait this long for more to send them in one request (ms). */
  @IsInt() @Min(0) @Max(600_000) ST_WRITE_BACK_DEBOUNCE_MS: number = 2000;
  /** Write-back: attempts per mark before it is `failed` (visible in the audit trail, replayable). */
  @IsInt() @Min(1) @Max(100) ST_WRITE_BACK_ATTEMPTS: number = 8;
}
