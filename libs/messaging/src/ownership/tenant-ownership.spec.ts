import { Logger } from '@nestjs/common';
import { ConsumerGroupAdmin } from '../admin/consumer-group.admin';
import { partitionForKey } from '../kafka/partition-for-key';
import { MembershipEvent } from '../transport/group-consumer';
import { TenantOwnership } from './tenant-ownership';

const TENANTS = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);

function setup() {
  let now = 1_000_000;
  let emit: (e: MembershipEvent) => void = () => undefined;
  const admin = { partitionCount: async () => 3 } as unknown as ConsumerGroupAdmin;
  const ownership = new TenantOwnership(
    'owners',
    { topic: 'servicetitan.command.v1', handOverGraceMs: 5000 },
    { onMembership: (l) => ((emit = l), () => undefined) },
    admin,
    () => now,
  );
  let changes = 0;
  ownership.onChange(() => changes++);
  const joined = (...partitions: number[]) =>
    emit({ type: 'joined', assignment: new Map([['servicetitan.command.v1', partitions]]) });
  return {
    ownership,
    emit: (e: MembershipEvent) => emit(e),
    joined,
    advance: (ms: number) => (now += ms),
    changes: () => changes,
  };
}

describe('TenantOwnership', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('owns the tenants of its assigned partitions, only after the hand-over grace', async () => {
    const t = setup();
    t.joined(0, 2);
    await new Promise((r) => setImmediate(r)); // partition count read
    expect(t.ownership.owned(TENANTS)).toEqual([]);
    t.advance(4999);
    expect(t.ownership.owned(TENANTS)).toEqual([]);
    t.advance(1);
    const owned = t.ownership.owned(TENANTS);
    expect(owned).toEqual(TENANTS.filter((x) => [0, 2].includes(partitionForKey(x, 3))));
    expect(owned.length).toBeGreaterThan(0);
    expect(owned.length).toBeLessThan(TENANTS.length);
    expect(t.ownership.partitionOf('tenant-1')).toBe(partitionForKey('tenant-1', 3));
  });

  it('drops everything at once when the group rebalances or it leaves, and waits the grace again', async () => {
    const t = setup();
    t.joined(0, 1, 2);
    await new Promise((r) => setImmediate(r));
    t.advance(5000);
    expect(t.ownership.owned(TENANTS)).toEqual(TENANTS);
    const before = t.changes();
    t.emit({ type: 'rebalancing' });
    expect(t.ownership.owned(TENANTS)).toEqual([]);
    expect(t.changes()).toBe(before + 1);
    t.joined(0, 1, 2);
    expect(t.ownership.owned(TENANTS)).toEqual([]);
    t.advance(5000);
    expect(t.ownership.owned(TENANTS)).toEqual(TENANTS);
    t.emit({ type: 'left' });
    expect(t.ownership.isOwner('tenant-0')).toBe(false);
  });

  it('owns nothing once heartbeats have stopped for a session timeout (it may have been evicted)', async () => {
    const t = setup();
    t.joined(0, 1, 2);
    await new Promise((r) => setImmediate(r));
    t.advance(20_000);
    t.emit({ type: 'alive' });
    t.advance(29_000);
    expect(t.ownership.isOwner('tenant-0')).toBe(true);
    t.advance(2_000);
    expect(t.ownership.isOwner('tenant-0')).toBe(false);
    t.emit({ type: 'alive' });
    expect(t.ownership.isOwner('tenant-0')).toBe(true);
  });

  it('owns nothing while the partition count is unknown', () => {
    const t = setup();
    t.joined(0, 1, 2);
    t.advance(5000);
    expect(t.ownership.partitionOf('tenant-0')).toBeNull();
    expect(t.ownership.isOwner('tenant-0')).toBe(false);
  });
});
