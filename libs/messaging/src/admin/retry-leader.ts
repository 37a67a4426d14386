import { retryAsync } from '@connector/util';

const LEADER_ERRORS = [
  'NOT_LEADER_FOR_PARTITION',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
];

function isLeaderElection(e: unknown): boolean {
  const type = (e as { type?: string }).type ?? '';
  return LEADER_ERRORS.includes(type) || /not the leader|leader not available/i.test((e as Error).message ?? '');
}

/**
 * Right after topics are created, brokers may briefly answer NOT_LEADER / UNKNOWN_TOPIC while leaders are
 * elected and kafkajs' metadata catches up; admin calls are retried a few times for those errors only.
 */
export function withLeaderRetry<T>(fn: () => Promise<T>, attempts = 15, delayMs = 300): Promise<T> {
  return retryAsync(() => fn(), {
    attempts,
    initialMs: delayMs,
    maxMs: delayMs,
    shouldRetry: isLeaderElection,
  });
}
