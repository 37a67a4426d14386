import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createCausedEnvelope,
  decodeMessage,
  MessageEnvelope,
  POSTED_LEDGER_ENTRY,
  PostedLedgerEntryV1,
  Topics,
} from '@connector/contracts';
import { ConsumedMessage, MessagePublisher, MessagingService } from '@connector/messaging';
import { MetricsService, ReadinessRegistry } from '@connector/observability';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

export interface LedgerEntry {
  documentKind: PostedLedgerEntryV1['documentKind'];
  x3DocumentNumber: string;
  postedAt: string;
}

/** Compacted-topic key of a ledger entry. */
export function ledgerKey(tenant: string, externalRef: string): string {
  return `${tenant}:${externalRef}`;
}

/** Consumer-group ids allow letters, digits, '.', '_' and '-'; host names may carry more. */
function instanceGroupId(): string {
  const host =
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .slice(0, 40) || 'host';
  return `x3-poster.posted-ledger.${host}-${randomUUID().slice(0, 8)}`;
}

/**
 * The posted-documents ledger: every external reference this deployment posted (or found already in X3),
 * kept in the compacted topic connector.posted-ledger.v1 (key tenant:externalRef) and mirrored in memory.
 *
 * At start it re-reads the whole topic with a consumer group unique to this process (so it sees every
 * partition, and never resumes from an earlier run's offsets), and reports ready only once it has read up to
 * the end offsets the broker reported at start. It keeps consuming afterwards, so entries written by other
 * instances arrive too.
 */
@Injectable()
export class PostedLedgerService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('posted-ledger');
  private readonly entries = new Map<string, LedgerEntry>();
  readonly groupId = instanceGroupId();
  /** Highest offset applied per partition. */
  private readonly applied = new Map<number, bigint>();
  /** End offsets (next offset to be written) per partition, as read at start. */
  private targets: Map<number, { low: bigint; high: bigint }> | null = null;
  private caughtUp = false;
  private stopping = false;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private readonly invalid;

  constructor(
    private readonly messaging: MessagingService,
    private readonly publisher: MessagePublisher,
    readiness: ReadinessRegistry,
    metrics: MetricsService,
  ) {
    readiness.register({ name: 'posted-ledger', check: () => this.caughtUp });
    this.invalid = metrics.counter(
      'connector_posted_ledger_invalid_total',
      'Ledger records that failed validation (ignored)',
      [],
    );
  }

  onModuleInit(): void {
    this.messaging.registerConsumer({
      groupId: this.groupId,
      topics: [Topics.PostedLedger],
      fromBeginning: true,
      // Raw: every offset must reach apply() (an invalid record must not stall the catch-up), and a reader of
      // its own state topic must not dead-letter on every restart; validation happens in apply().
      mode: 'raw',
      handler: async (m) => this.apply(m),
    });
  }

  onApplicationBootstrap(): void {
    // Not awaited: bootstrap (HTTP, health) goes on; readiness and request handlers wait for the catch-up.
    void this.loadEndOffsets();
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Resolves once the ledger has been read up to the end offsets seen at start. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get(tenant: string, externalRef: string): LedgerEntry | undefined {
    return this.entries.get(ledgerKey(tenant, externalRef));
  }

  size(): number {
    return this.entries.size;
  }

  /** Writes an entry (acknowledged by all in-sync replicas) and remembers it locally. */
  async record(cause: MessageEnvelope<unknown>, entry: PostedLedgerEntryV1): Promise<void> {
    const envelope = createCausedEnvelope<PostedLedgerEntryV1>(cause, {
      type: POSTED_LEDGER_ENTRY,
      source: 'poster',
      payload: entry,
    });
    await this.publisher.publish(Topics.PostedLedger, envelope, { key: ledgerKey(cause.tenant, entry.externalRef) });
    this.remember(cause.tenant, entry);
  }

  private remember(tenant: string, entry: PostedLedgerEntryV1): void {
    this.entries.set(ledgerKey(tenant, entry.externalRef), {
      documentKind: entry.documentKind,
      x3DocumentNumber: entry.x3DocumentNumber,
      postedAt: entry.postedAt,
    });
  }

  private async apply(m: ConsumedMessage): Promise<void> {
    const decoded = decodeMessage<PostedLedgerEntryV1>(m.topic, m.raw);
    if (decoded.ok) this.remember(decoded.envelope.tenant, decoded.envelope.payload);
    else {
      this.invalid.inc();
      this.logger.error({
        msg: 'invalid posted-ledger record ignored',
        partition: m.partition,
        offset: m.offset,
        reason: decoded.reason,
      });
    }
    const offset = BigInt(m.offset);
    if ((this.applied.get(m.partition) ?? -1n) < offset) this.applied.set(m.partition, offset);
    this.checkCaughtUp();
  }

  private async loadEndOffsets(): Promise<void> {
    const topic = this.messaging.ns.topic(Topics.PostedLedger);
    for (let attempt = 1; !this.stopping; attempt++) {
      const admin = this.messaging.kafka.admin();
      try {
        await admin.connect();
        const offsets = await admin.fetchTopicOffsets(topic);
        this.targets = new Map(offsets.map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
        this.logger.log({
          msg: 'catching up on the posted ledger',
          groupId: this.groupId,
          partitions: offsets.length,
          endOffsets: offsets.map((p) => p.high),
        });
        this.checkCaughtUp();
        return;
      } catch (e) {
        // The topic may not be provisioned yet, or the broker is briefly away: keep trying, readiness stays red.
        this.logger.warn({ msg: 'cannot read posted-ledger end offsets yet; retrying', attempt, err: e as Error });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || !this.targets) return;
    for (const [partition, { low, high }] of this.targets) {
      if (high <= low) continue; // empty partition
      if ((this.applied.get(partition) ?? -1n) < high - 1n) return;
    }
    this.caughtUp = true;
    this.logger.log({ msg: 'posted ledger caught up', entries: this.entries.size });
    this.resolveReady();
  }
}
