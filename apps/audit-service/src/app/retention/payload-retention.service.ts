import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditServiceEnv } from '../audit-service.env';
import { Database } from '../database/database';

/**
 * Keeps message bodies (payload JSON and raw bytes) for AUDIT_PAYLOAD_RETENTION_DAYS, then nulls them.
 * History rows (topic, offset, ids, headers, status) and record summaries are kept forever.
 */
@Injectable()
export class PayloadRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('retention');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Database,
    private readonly env: AuditServiceEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.runOnce().catch((e: Error) => this.logger.error({ msg: 'retention run failed', err: e.message })),
      this.env.AUDIT_RETENTION_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Nulls bodies of messages older than the retention (relative to `now`); returns how many. */
  async runOnce(now: Date = new Date()): Promise<number> {
    if (this.running) return this.running;
    const cutoff = new Date(now.getTime() - this.env.AUDIT_PAYLOAD_RETENTION_DAYS * 86_400_000).toISOString();
    this.running = (async () => {
      const r = await this.db.query(
        `UPDATE audit_messages SET payload = NULL, raw_value = NULL, payload_purged_at = $2::timestamptz
         WHERE payload_purged_at IS NULL AND message_ts < $1::timestamptz`,
        [cutoff, now.toISOString()],
      );
      if (r.rowCount) this.logger.log({ msg: 'purged expired payloads', count: r.rowCount, cutoff });
      return r.rowCount;
    })().finally(() => (this.running = null));
    return this.running;
  }
}
