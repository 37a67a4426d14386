import { EnvBoolean, TenantEnv } from '@connector/config';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Environment shared by the apps that call Sage X3 (x3-poster, x3-poller): timeouts, the shared OAuth2
 * credentials (connector.x3-credentials.v1, one refresher per tenant) and the field check. Each app's env class
 * extends it; the variables are documented here and in docs/sage-x3.md.
 */
export class X3AppEnv extends TenantEnv {
  /** Timeout of one Sage X3 HTTP request (ms). A create that times out is looked up before any new POST. */
  @IsInt() @Min(100) X3_REQUEST_TIMEOUT_MS: number = 30000;
  /** Timeout of an OAuth2 token request (ms). */
  @IsInt() @Min(100) X3_TOKEN_TIMEOUT_MS: number = 15000;
  /**
   * A process that becomes a tenant's credential owner waits this long before it may refresh (ms): longer than the
   * previous owner's slowest token request (X3_TOKEN_TIMEOUT_MS) plus its save, so two refreshes never overlap.
   */
  @IsInt() @Min(0) X3_CREDENTIALS_HANDOVER_GRACE_MS: number = 20000;
  /**
   * How often the owner checks whether a tenant's access token is due for renewal, and every process updates the
   * refresh-token expiry gauge (ms). Keep it well below the refresh margin (default 60 s).
   */
  @IsInt() @Min(100) @Max(600000) X3_CREDENTIALS_CHECK_INTERVAL_MS: number = 5000;
  /** A process that may not refresh waits this long for the owner's new access token before a call fails (transient). */
  @IsInt() @Min(0) X3_TOKEN_WAIT_MS: number = 10000;
  /** Verify each tenant's configured X3 fields against its representations at start (and again until verified). */
  @EnvBoolean(true) X3_FIELD_CHECK_ENABLED: boolean = true;
  /** A tenant whose fields could not be verified (X3 unreachable) or were refused is checked again after this (ms). */
  @IsInt() @Min(1000) X3_FIELD_CHECK_RETRY_MS: number = 60000;
}
