import { TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the mapper (validated at boot; see docs/mapping-rules.md). The mapper calls no external API. */
export class MapperEnv extends TenantEnv {
  /**
   * After each join of the mapper group (start, rebalance), and for each record: how long a message waits for the
   * state (X3 master data, ServiceTitan records, checkpoints) to be read up to it, before the attempt fails and is
   * retried (ms).
   */
  @IsInt() @Min(1000) MAPPER_STATE_WAIT_TIMEOUT_MS: number = 300_000;

  /** Partitions of the ServiceTitan records topic handled in parallel by this instance (order per job is kept). */
  @IsInt() @Min(1) @Max(64) MAPPER_PARTITION_CONCURRENCY: number = 3;

  /** Handler attempts for a message before it is dead-lettered. */
  @IsInt() @Min(1) @Max(50) MAPPER_RETRY_ATTEMPTS: number = 8;

  /** First retry backoff of a failed message (ms); doubles per attempt up to 60 s. */
  @IsInt() @Min(10) MAPPER_RETRY_BACKOFF_MS: number = 500;

  /**
   * How often each tenant's mapping-rules file is read again (ms): a changed file that validates is in effect from
   * the next decision on, an invalid one is logged and counted and the rules in effect stay (docs/mapping-rules.md
   * "Reload"). 0 = never (the rules are read at start only).
   */
  @IsInt() @Min(0) @Max(3_600_000) MAPPER_RULES_RELOAD_MS: number = 5000;
}
