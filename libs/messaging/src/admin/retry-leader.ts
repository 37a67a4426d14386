/**
 * Right after topics are created, brokers may briefly answer NOT_LEADER / UNKNOWN_TOPIC while leaders are
 * elected and kafkajs' metadata catches up; admin calls are retried a few times for those errors only.
 */
export async function withLeaderRetry<T>(fn: () => Promise<T>, attempts = 15, delayMs = 300): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const type = (e as { type?: string }).type ?? '';
      const retriable =
        [
          'NOT_LEADER_FOR_PARTITION',
          'UNKNOWN_TOPIC_OR_PARTITION',
          'LEADER_NOT_AVAILABLE',
          'NOT_LEADER_OR_FOLLOWER',
        ].includes(type) || /not the leader|leader not available/i.test((e as Error).message);
      if (!retriable || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
