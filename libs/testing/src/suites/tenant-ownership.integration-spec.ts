import { Topics } from '@connector/contracts';
import { partitionForKey, TenantOwnership, TenantOwnerships } from '@connector/messaging';
import { eventually, MessagingHarness, startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(180000);

const GROUP = 'owners';
const OWNERSHIP = 'OWNERSHIP';
const GRACE_MS = 1500;
const TENANTS = Array.from({ length: 30 }, (_, i) => `tenant-${i}`);

/**
 * A group member. `withHandler`: the group also consumes the topic with a handler (the usual case: the owner group
 * reads the tenant-keyed command topic); otherwise the member only takes part in the group.
 */
function member(prefix: string, id: string, withHandler: boolean): Promise<MessagingHarness> {
  return startMessagingHarness(
    prefix,
    withHandler ? [{ group: GROUP, topics: [Topics.StVendor], handler: () => undefined }] : [],
    id,
    {
      providers: [
        {
          provide: OWNERSHIP,
          inject: [TenantOwnerships],
          useFactory: (o: TenantOwnerships) => o.of(GROUP, { topic: Topics.StVendor, handOverGraceMs: GRACE_MS }),
        },
      ],
    },
  );
}

const ownershipOf = (h: MessagingHarness) => h.app.get<TenantOwnership>(OWNERSHIP);

describe('tenant ownership from a consumer group assignment, on a real broker', () => {
  it('two members own disjoint tenants, nobody owns during a rebalance, the survivor takes everything', async () => {
    // Several partitions of the topic carry tenants, so both members get some.
    expect(new Set(TENANTS.map((t) => partitionForKey(t, 3))).size).toBe(3);
    const prefix = uniquePrefix('owners');
    const live = new Map<string, TenantOwnership>();
    let maxOwners = 0;
    const history: Array<{ member: string; owned: number }> = [];
    // Sample all along: at no moment may two members own the same tenant.
    const sampler = setInterval(() => {
      for (const t of TENANTS) {
        const owners = [...live.values()].filter((o) => o.isOwner(t)).length;
        maxOwners = Math.max(maxOwners, owners);
      }
      for (const [name, o] of live) {
        const owned = o.owned(TENANTS).length;
        const last = [...history].reverse().find((h) => h.member === name);
        if (last?.owned !== owned) history.push({ member: name, owned });
      }
    }, 20);

    const a = await member(prefix, 'a', true);
    let b: MessagingHarness | null = null;
    try {
      const ownA = ownershipOf(a);
      live.set('a', ownA);
      // Joined, but within the hand-over grace: not acting yet.
      expect(ownA.owned(TENANTS)).toEqual([]);
      await eventually(
        () => ownA.owned(TENANTS).length,
        (n) => n === TENANTS.length,
        'the only member owns every tenant after the grace',
      );

      b = await member(prefix, 'b', false);
      const ownB = ownershipOf(b);
      live.set('b', ownB);
      // The group rebalanced to let b in: a dropped everything, both wait out the grace.
      expect(ownA.owned(TENANTS)).toEqual([]);
      expect(ownB.owned(TENANTS)).toEqual([]);
      const split = await eventually(
        () => [ownA.owned(TENANTS), ownB.owned(TENANTS)],
        ([x, y]) => x.length + y.length === TENANTS.length && x.length > 0 && y.length > 0,
        'both members own a share after the grace',
      );
      expect(split[0].filter((t) => split[1].includes(t))).toEqual([]);
      expect(new Set(split[0].map((t) => ownA.partitionOf(t))).size).toBeGreaterThan(0);

      const changes: number[] = [];
      ownA.onChange(() => changes.push(ownA.owned(TENANTS).length));
      await b.close();
      live.delete('b');
      b = null;
      await eventually(
        () => ownA.owned(TENANTS).length,
        (n) => n === TENANTS.length,
        'the survivor owns every tenant',
        60000,
      );
      // On the way it owned nothing while the group rebalanced.
      expect(changes).toContain(0);
      expect(changes.indexOf(0)).toBeLessThan(changes.lastIndexOf(TENANTS.length));
    } finally {
      clearInterval(sampler);
      await b?.close();
      await a.close();
    }
    expect(maxOwners).toBe(1);
    const aHistory = history.filter((h) => h.member === 'a').map((h) => h.owned);
    expect(aHistory[0]).toBe(0);
    expect(aHistory).toContain(TENANTS.length);
  });
});
