import { retryAsync } from '@connector/util';
import { Injectable, Logger } from '@nestjs/common';
import { ConsumerGroupAdmin } from '../admin/consumer-group.admin';
import { partitionForKey } from '../kafka/partition-for-key';
import { GroupMembership, KafkaBusTransport } from '../transport/kafka-bus.transport';
import { MembershipEvent } from '../transport/group-consumer';

/** A member that has not heart-beaten for a session timeout may have been evicted: it stops acting. */
const SESSION_TIMEOUT_MS = 30000;

export interface TenantOwnershipOptions {
  /** A topic keyed by tenant that the group reads; the member assigned a tenant's partition owns the tenant. */
  topic: string;
  /** How long a new owner waits before acting: longer than the previous owner's slowest in-flight action. */
  handOverGraceMs: number;
}

/**
 * One owner per tenant across processes and replicas, from a consumer group's partition assignment: the member
 * assigned partition partitionForKey(tenant) of the topic owns the tenant.
 * - On a rebalance (eager protocol) it drops everything at once: nobody acts while the group rebalances.
 * - On a join it takes the new assignment, and acts on it only after the hand-over grace, so the previous owner's
 *   in-flight action (e.g. an HTTP call) has ended.
 * - Without a successful heartbeat for a session timeout it owns nothing (it may have been evicted).
 * isOwner() is the authority; onChange() tells when the assignment changed or a grace period ended.
 */
export class TenantOwnership {
  private readonly logger: Logger;
  private partitions: number | null = null;
  private assigned = new Set<number>();
  private activeAt = Number.POSITIVE_INFINITY;
  private lastAlive = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly group: string,
    private readonly options: TenantOwnershipOptions,
    membership: GroupMembership,
    private readonly admin: ConsumerGroupAdmin,
    private readonly now: () => number = Date.now,
  ) {
    this.logger = new Logger(`ownership:${group}`);
    membership.onMembership((e) => this.on(e));
  }

  /** Partition of the ownership topic that decides `tenant` (null until the partition count is known). */
  partitionOf(tenant: string): number | null {
    return this.partitions === null ? null : partitionForKey(tenant, this.partitions);
  }

  isOwner(tenant: string): boolean {
    const partition = this.partitionOf(tenant);
    const t = this.now();
    return (
      partition !== null &&
      this.assigned.has(partition) &&
      t >= this.activeAt &&
      t - this.lastAlive <= SESSION_TIMEOUT_MS
    );
  }

  /** The tenants among `tenants` this process owns now. */
  owned(tenants: Iterable<string>): string[] {
    return [...tenants].filter((t) => this.isOwner(t));
  }

  /** Called when ownership may have changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private on(e: MembershipEvent): void {
    if (e.type === 'alive') {
      this.lastAlive = this.now();
      return;
    }
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (e.type === 'joined') {
      this.assigned = new Set(e.assignment.get(this.options.topic) ?? []);
      this.lastAlive = this.now();
      this.activeAt = this.now() + this.options.handOverGraceMs;
      this.graceTimer = setTimeout(() => this.changed('hand-over grace over'), this.options.handOverGraceMs);
      this.graceTimer.unref();
      if (this.partitions === null) void this.loadPartitionCount();
      this.logger.log({ msg: 'assigned; owning after the hand-over grace', partitions: [...this.assigned] });
    } else {
      // Rebalancing or left: own nothing from now on (also what is in flight must not start anew).
      if (this.assigned.size === 0) return;
      this.assigned = new Set();
      this.activeAt = Number.POSITIVE_INFINITY;
      this.logger.log({ msg: e.type === 'rebalancing' ? 'group rebalancing; owning nothing' : 'left the group' });
    }
    this.changed(e.type);
  }

  private async loadPartitionCount(): Promise<void> {
    try {
      this.partitions = await retryAsync(() => this.admin.partitionCount(this.options.topic), {
        attempts: 10,
        initialMs: 200,
        maxMs: 5000,
      });
      this.changed('partition count known');
    } catch (e) {
      this.logger.error({ msg: 'cannot read the partition count; owning nothing', err: e as Error });
    }
  }

  private changed(reason: string): void {
    this.logger.debug({ msg: 'ownership changed', reason });
    for (const l of this.listeners) {
      try {
        l();
      } catch (e) {
        this.logger.error({ msg: 'an ownership listener failed', err: e as Error });
      }
    }
  }
}

/** Tenant ownership per consumer group (see TenantOwnership); ask for it while the app is constructed. */
@Injectable()
export class TenantOwnerships {
  private readonly byGroup = new Map<string, TenantOwnership>();

  constructor(
    private readonly transport: KafkaBusTransport,
    private readonly admin: ConsumerGroupAdmin,
  ) {}

  of(group: string, options: TenantOwnershipOptions): TenantOwnership {
    let o = this.byGroup.get(group);
    if (!o) {
      o = new TenantOwnership(group, options, this.transport.membership(group, options.topic), this.admin);
      this.byGroup.set(group, o);
    }
    return o;
  }
}
