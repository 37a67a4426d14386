import { X3AppEnv } from '@connector/sage-x3-runtime';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Environment of the x3-poster (validated at boot; documented in docs/x3-poster.md). Sage X3 timeouts, the shared
 * OAuth2 credentials and the field check come from X3AppEnv (libs/sage-x3-runtime).
 */
export class X3PosterEnv extends X3AppEnv {
  /** Posting calls (lookup + create) in flight per tenant at once; X3's web-service pool is small (pool exhaustion otherwise). */
  @IsInt() @Min(1) @Max(64) X3_MAX_CONCURRENT_POSTS_PER_TENANT: number = 2;
  /** Request-topic partitions handled concurrently by this instance (the consumer groups' partitionConcurrency). */
  @IsInt() @Min(1) @Max(256) X3_POSTER_PARTITIONS_CONCURRENCY: number = 3;
  /**
   * Handler attempts per request for transient X3 failures (5xx, pool exhausted, timeouts). The last attempt that
   * still fails publishes a 'failed' result with transient=true and commits, so the operator sees it and can replay.
   * A create whose outcome is unknown is never reported failed: the last attempt keeps looking it up until X3 answers.
   */
  @IsInt() @Min(1) @Max(100) X3_POST_RETRY_ATTEMPTS: number = 6;
  /** First backoff between attempts (ms); doubles per attempt up to X3_POST_RETRY_MAX_BACKOFF_MS. Heartbeats continue meanwhile. */
  @IsInt() @Min(1) X3_POST_RETRY_INITIAL_BACKOFF_MS: number = 1000;
  /** Upper bound of the backoff between attempts (ms). */
  @IsInt() @Min(1) X3_POST_RETRY_MAX_BACKOFF_MS: number = 30000;
  /** Attempts of an idempotent X3 read (reference lookups) inside one handler attempt, including the first. */
  @IsInt() @Min(1) @Max(10) X3_READ_RETRY_ATTEMPTS: number = 3;
  /** First backoff between those reads (ms); capped at 5 s. */
  @IsInt() @Min(1) X3_READ_RETRY_BASE_DELAY_MS: number = 250;
  /** Wait after a create with an unknown outcome before looking it up by reference, so a slow commit can land (ms). */
  @IsInt() @Min(0) X3_CREATE_RECOVERY_SETTLE_MS: number = 1000;
  /**
   * Digits of the longest ServiceTitan id the start-up field check assumes when it checks that the external
   * reference (`<tenant>:JOB:<id>:R<rev>:REV`) fits the journal entry's reference field.
   */
  @IsInt() @Min(1) @Max(19) X3_REFERENCE_CHECK_ID_DIGITS: number = 10;
}
