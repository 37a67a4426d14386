import { TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the x3-poster (validated at boot; every variable is documented in docs/x3-poster.md). */
export class X3PosterEnv extends TenantEnv {
  /** Posting calls (lookup + create) in flight per tenant at once; X3's web-service pool is small (pool exhaustion otherwise). */
  @IsInt() @Min(1) @Max(64) X3_MAX_CONCURRENT_POSTS_PER_TENANT: number = 2;
  /** Request-topic partitions handled concurrently by this instance (the consumer groups' partitionConcurrency). */
  @IsInt() @Min(1) @Max(256) X3_POSTER_PARTITIONS_CONCURRENCY: number = 3;
  /**
   * Handler attempts per request for transient X3 failures (5xx, pool exhausted, timeouts). The last attempt that
   * still fails publishes a 'failed' result with transient=true and commits, so the operator sees it and can replay.
   */
  @IsInt() @Min(1) @Max(100) X3_POST_RETRY_ATTEMPTS: number = 6;
  /** First backoff between attempts (ms); doubles per attempt up to X3_POST_RETRY_MAX_BACKOFF_MS. Heartbeats continue meanwhile. */
  @IsInt() @Min(1) X3_POST_RETRY_INITIAL_BACKOFF_MS: number = 1000;
  /** Upper bound of the backoff between attempts (ms). */
  @IsInt() @Min(1) X3_POST_RETRY_MAX_BACKOFF_MS: number = 30000;
  /** Timeout of one Sage X3 HTTP request (ms). A create that times out is looked up by reference before any new POST. */
  @IsInt() @Min(100) X3_REQUEST_TIMEOUT_MS: number = 30000;
  /** Timeout of an OAuth2 token request (ms). */
  @IsInt() @Min(100) X3_TOKEN_TIMEOUT_MS: number = 15000;
  /** Attempts of an idempotent X3 read (reference lookups) inside one handler attempt, including the first. */
  @IsInt() @Min(1) @Max(10) X3_READ_RETRY_ATTEMPTS: number = 3;
  /** First backoff between those reads (ms); capped at 5 s. */
  @IsInt() @Min(1) X3_READ_RETRY_BASE_DELAY_MS: number = 250;
  /** Wait after a create with an unknown outcome before looking it up by reference, so a slow commit can land (ms). */
  @IsInt() @Min(0) X3_CREATE_RECOVERY_SETTLE_MS: number = 1000;
}
