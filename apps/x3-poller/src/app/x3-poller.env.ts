import { EnvBoolean } from '@connector/config';
import { X3AppEnv } from '@connector/sage-x3-runtime';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/**
 * Environment of the x3-poller (validated at boot). Sage X3 timeouts, the shared OAuth2 credentials and the field
 * check come from X3AppEnv (libs/sage-x3-runtime).
 */
export class X3PollerEnv extends X3AppEnv {
  /** Run the scheduled poll (per-tenant interval from the tenants file, sageX3.poll). */
  @EnvBoolean(true) X3_POLL_ENABLED: boolean = true;
  /** Delay before the first poll after start (ms). */
  @IsInt() @Min(0) X3_POLL_INITIAL_DELAY_MS: number = 3000;
  /** Each poll re-reads this many seconds before the watermark: late commits are caught, unchanged rows are skipped by hash. */
  @IsInt() @Min(0) @Max(86400) X3_POLL_LOOKBACK_SECONDS: number = 120;
  /** A full resync (detects deletions) runs this often; 0 = only on demand. */
  @IsInt() @Min(0) X3_FULL_RESYNC_INTERVAL_HOURS: number = 24;
  /** Tries of one stream per run when X3 fails transiently; a stream that still fails is counted and the others go on. */
  @IsInt() @Min(1) @Max(10) X3_POLL_STREAM_ATTEMPTS: number = 3;
  /** First backoff between those tries (ms), doubled per try. */
  @IsInt() @Min(1) X3_POLL_STREAM_RETRY_MS: number = 1000;
  /**
   * sensitive: sha256 (hex) of the token that may call the admin routes (POST /admin/resync/:tenant,
   * POST /admin/readback/:tenant, GET /admin/check/:tenant); unset = admin routes disabled.
   */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'X3_POLLER_ADMIN_TOKEN_SHA256 must be a hex sha256' })
  X3_POLLER_ADMIN_TOKEN_SHA256?: string;
  /** Read back the documents the connector posted (x3.document.v1, for reconciliation), on each tenant's poll interval. */
  @EnvBoolean(true) X3_READBACK_ENABLED: boolean = true;
  /** A full read-back (finds documents deleted in X3 and ledger entries X3 does not have) runs this often; 0 = on demand. */
  @IsInt() @Min(0) X3_READBACK_FULL_INTERVAL_MINUTES: number = 60;
  /** Document numbers per `$query` (`NUM in (…)`) when a class has no reference field and is read by the ledger's numbers. */
  @IsInt() @Min(1) @Max(200) X3_READBACK_BATCH_SIZE: number = 50;
}
