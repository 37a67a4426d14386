import { FEEDS, FeedName } from './feed-names';

/** What the owner knows about one feed of one tenant. */
export interface FeedSchedule {
  /** When the feed was last read (ms), null = never since this replica owns the tenant. */
  lastReadAt: number | null;
  /** Distinct entities (ids) that webhooks announced since the last read. */
  pending: Set<string>;
  /** When the oldest pending trigger arrived (ms). */
  pendingSince: number | null;
}

export interface SchedulePolicy {
  /** Scheduled reads: every this many ms; null = only when triggered. */
  everyMs: number | null;
  /** The first scheduled read (ms). */
  firstAt: number;
  /** Read at once when this many distinct entities are pending. */
  batch: number;
  /** Read at the latest this long after the first pending trigger. */
  maxDelayMs: number;
}

export function emptySchedule(): FeedSchedule {
  return { lastReadAt: null, pending: new Set(), pendingSince: null };
}

/**
 * The feeds due now, in reading order. A feed is due when its scheduled interval has passed since its last read (a
 * triggered read counts: a busy tenant's feeds are not read twice), or when webhooks announced `batch` entities, or
 * the oldest announcement waited `maxDelayMs`. Triggers are batched so that a burst costs a few reads: ≤ 3 calls for
 * a lone job, and about 3 / batch calls per job when jobs arrive faster than batch per maxDelay.
 */
export function dueFeeds(
  schedules: ReadonlyMap<FeedName, FeedSchedule>,
  now: number,
  policy: SchedulePolicy,
): FeedName[] {
  return FEEDS.filter((feed) => {
    const s = schedules.get(feed) ?? emptySchedule();
    const scheduled =
      policy.everyMs !== null && (s.lastReadAt === null ? now >= policy.firstAt : now - s.lastReadAt >= policy.everyMs);
    const triggered =
      s.pending.size > 0 &&
      (s.pending.size >= policy.batch || (s.pendingSince !== null && now - s.pendingSince >= policy.maxDelayMs));
    return scheduled || triggered;
  });
}
