import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

// IPv4 dotted quad, IPv6 (hex groups and colons, optionally an embedded IPv4) or localhost.
const BIND_ADDRESS =
  /^(localhost|((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
const BROKER_LIST = /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/;

/**
 * Variables every app reads. Each app extends this with its own (one validated schema per app).
 * Sensitive variables are marked "sensitive" in their docs and never logged.
 */
export class CommonEnv {
  /** HTTP port for health, metrics and the app's API. */
  @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /**
   * Address the HTTP server binds to: 0.0.0.0 (every IPv4 interface, the default), :: (every interface), 127.0.0.1
   * (this host only, e.g. behind a sidecar proxy) or one interface's address.
   */
  @IsString()
  @Matches(BIND_ADDRESS, { message: 'HOST must be an IP address (0.0.0.0, ::, 127.0.0.1, …) or localhost' })
  HOST: string = '0.0.0.0';
  /** Comma-separated host:port list of Kafka bootstrap brokers. */
  @IsString()
  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS must be a comma-separated host:port list' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';
  /** Optional namespace prepended to every topic and consumer group ("<prefix>.<topic>"), for shared clusters and tests. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,30}$/, { message: 'KAFKA_TOPIC_PREFIX must be a lowercase slug' })
  KAFKA_TOPIC_PREFIX?: string;
  /** Partitions for topics the app provisions at start. */
  @IsInt() @Min(1) @Max(256) KAFKA_TOPIC_PARTITIONS: number = 3;
  /** Replication factor for provisioned topics (1 for the local broker). */
  @IsInt() @Min(1) @Max(7) KAFKA_REPLICATION_FACTOR: number = 1;
  /** Create missing topics at start from the catalogue in libs/contracts. */
  @IsIn(['true', 'false']) KAFKA_PROVISION_TOPICS: string = 'true';
  /** Coalesce concurrent publishes into one sendBatch (each still acknowledged before it resolves). false = one send per message. */
  @EnvBoolean(true) KAFKA_PRODUCER_BATCHING: boolean = true;
  /** How often consumer lag is measured for connector_consumer_lag (ms); 0 disables it. */
  @IsInt() @Min(0) KAFKA_LAG_INTERVAL_MS: number = 15000;
  /**
   * A consumer handling (retrying) one message for longer than this (ms) is stuck: /health/ready answers 503
   * (check `kafka-consumers-progress`), `connector_consumer_stuck{group}` is 1 and the ConnectorConsumerStuck alert
   * fires. Longer than the slowest legitimate handling including retries (an X3 posting with all its attempts).
   */
  @IsInt() @Min(1000) KAFKA_CONSUMER_STUCK_AFTER_MS: number = 900_000;
  @IsIn(['trace', 'verbose', 'debug', 'info', 'log', 'warn', 'error', 'fatal']) LOG_LEVEL: string = 'info';
  /** Milliseconds to let in-flight messages finish on SIGTERM before giving up. */
  @IsInt() @Min(1000) SHUTDOWN_TIMEOUT_MS: number = 25000;
}

/** Apps that load the tenant registry. */
export class TenantEnv extends CommonEnv {
  /** Path to the tenants JSON file (secrets inside are encrypted). */
  @IsString() @IsNotEmpty() TENANTS_FILE!: string;
  /** sensitive: base64 of 32 random bytes; decrypts tenant secrets (AES-256-GCM). */
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONNECTOR_ENCRYPTION_KEY must be base64 of 32 bytes (44 characters)' })
  CONNECTOR_ENCRYPTION_KEY!: string;
}

/**
 * A boolean variable: "true"/"false" (also 1/0, yes/no). Implicit conversion would turn the string "false" into
 * true, so the raw source value is read instead; anything else fails validation naming the variable.
 */
export function EnvBoolean(defaultValue: boolean): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(({ obj }) => {
      const raw = (obj as Record<string, unknown>)[key as string];
      if (raw === undefined || raw === '') return defaultValue;
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      return raw;
    })(target, key);
    IsBoolean({ message: `${String(key)} must be true or false` })(target, key);
  };
}
