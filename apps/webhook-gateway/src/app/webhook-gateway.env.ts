import { EnvBoolean, TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the webhook-gateway (validated at boot). */
export class WebhookGatewayEnv extends TenantEnv {
  /** How long a (tenant, event id) is remembered to answer re-deliveries without producing (s). ServiceTitan retries for ~400 s. */
  @IsInt() @Min(60) WEBHOOK_DEDUPE_TTL_SECONDS: number = 3600;
  /** Upper bound of remembered event ids (memory cap). */
  @IsInt() @Min(1000) @Max(10_000_000) WEBHOOK_DEDUPE_MAX_ENTRIES: number = 500_000;
  /** Run the scheduled ServiceTitan pull (per tenant interval from the tenants file). */
  @EnvBoolean(true) ST_PULL_ENABLED: boolean = true;
  /** Delay before the first pull after start (ms). */
  @IsInt() @Min(0) ST_PULL_INITIAL_DELAY_MS: number = 5000;
}
