import { TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the mapper (validated at boot; see docs/configuration.md and docs/mapping-rules.md). */
export class MapperEnv extends TenantEnv {
  /**
   * After each join of the mapper group (start, rebalance): how long the first ServiceTitan message waits for the X3
   * master data to load and the checkpoint topic to be read up to its end, before the attempt fails and is retried
   * (ms).
   */
  @IsInt() @Min(1000) MAPPER_STATE_WAIT_TIMEOUT_MS: number = 300_000;

  /** Partitions of the ServiceTitan topics handled in parallel by this instance (order per record is kept). */
  @IsInt() @Min(1) @Max(64) MAPPER_PARTITION_CONCURRENCY: number = 3;

  /** Handler attempts for a ServiceTitan message (transient failures, e.g. ServiceTitan 5xx) before it is dead-lettered. */
  @IsInt() @Min(1) @Max(50) MAPPER_RETRY_ATTEMPTS: number = 8;

  /** First retry backoff of a failed ServiceTitan message (ms); doubles per attempt up to 60 s. */
  @IsInt() @Min(10) MAPPER_RETRY_BACKOFF_MS: number = 500;

  /** ServiceTitan API: retries inside one handler attempt for 429/5xx/network errors (the client's own backoff). */
  @IsInt() @Min(0) @Max(10) MAPPER_ST_MAX_RETRIES: number = 4;

  /** ServiceTitan API: per-request timeout (ms). */
  @IsInt() @Min(1000) MAPPER_ST_REQUEST_TIMEOUT_MS: number = 60_000;

  /** ServiceTitan API: requests per second per tenant from this instance (the API allows 60 per app and tenant). */
  @IsInt() @Min(1) @Max(59) MAPPER_ST_MAX_REQUESTS_PER_SECOND: number = 20;
}
