import { CommonEnv } from '@connector/config';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const SHA256_HEX = /^[a-f0-9]{64}$/;
const TENANT_TOKEN_LIST = /^[a-z0-9][a-z0-9-]{0,62}:[a-f0-9]{64}(,[a-z0-9][a-z0-9-]{0,62}:[a-f0-9]{64})*$/;

/**
 * Environment of the audit-service (validated at boot; see docs/audit-service.md). It holds no tenant
 * credentials (it never calls ServiceTitan or X3), so unlike the other apps it does not load TENANTS_FILE.
 */
export class AuditServiceEnv extends CommonEnv {
  /** sensitive: PostgreSQL connection string (postgres://user:password@host:port/db). Unset: embedded PGlite. */
  @IsOptional()
  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
  /** Schema for the audit tables on a PostgreSQL server (created if missing). Unset: the user's search_path (public). */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'AUDIT_DB_SCHEMA must be a lowercase SQL identifier' })
  AUDIT_DB_SCHEMA?: string;
  @IsInt() @Min(1) @Max(100) AUDIT_DB_POOL_SIZE: number = 10;
  /** Data directory of the embedded PGlite database. Unset (and no DATABASE_URL): in memory, lost on exit. */
  @IsOptional() @IsString() @IsNotEmpty() AUDIT_PGLITE_DIR?: string;
  /** sha256 (hex) of the admin API token: sees every tenant. */
  @IsOptional()
  @IsString()
  @Matches(SHA256_HEX, {
    message: 'AUDIT_ADMIN_TOKEN_SHA256 must be 64 lowercase hex characters (sha256 of the token)',
  })
  AUDIT_ADMIN_TOKEN_SHA256?: string;
  /** Per-tenant API tokens as "tenant:sha256hex,tenant:sha256hex" (several per tenant allowed, for rotation). */
  @IsOptional()
  @IsString()
  @Matches(TENANT_TOKEN_LIST, { message: 'AUDIT_TENANT_TOKENS must be a comma-separated list of tenant:sha256hex' })
  AUDIT_TENANT_TOKENS?: string;
  /** JSON file with more tenant tokens: [{"tenant":"acme","sha256":"…","label":"ops"}] (validated at boot). */
  @IsOptional() @IsString() @IsNotEmpty() AUDIT_TENANT_TOKENS_FILE?: string;
  /** Days message payloads (JSON and bytes) are kept; then nulled, history rows and summaries stay. */
  @IsInt() @Min(1) @Max(3650) AUDIT_PAYLOAD_RETENTION_DAYS: number = 90;
  /** How often the retention job runs (ms). */
  @IsInt() @Min(1000) AUDIT_RETENTION_INTERVAL_MS: number = 3_600_000;
  /** Consumer group of the audit trail (logical; namespaced by KAFKA_TOPIC_PREFIX). */
  @IsString() @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/) AUDIT_CONSUMER_GROUP: string = 'audit-service';
  /**
   * Attempts to write a message whose write fails because of the message itself (not because the database is away,
   * which is retried without limit); then it is stored without its payload JSON and document facts.
   */
  @IsInt() @Min(1) @Max(100) AUDIT_STORE_ATTEMPTS: number = 5;
  /** Partitions handled concurrently by the audit consumer. */
  @IsInt() @Min(1) @Max(64) AUDIT_CONSUMER_CONCURRENCY: number = 1;
  /**
   * Public base URL of this service (e.g. https://audit.example.com), for the console links in reconciliation
   * reports and their CSV/HTML exports. Unset: the host the request came to.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'AUDIT_PUBLIC_URL must be an http(s) URL' })
  AUDIT_PUBLIC_URL?: string;
  /** Upper bound of records one bulk replay may re-publish. */
  @IsInt() @Min(1) @Max(100_000) AUDIT_REPLAY_MAX_BATCH: number = 1000;
}
