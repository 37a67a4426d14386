import { backoffDelayMs, sleep } from '@connector/util';
import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';

/** Backoff between attempts to start a consumer kafkajs gave up on (ms). */
export const CONSUMER_RESTART_BACKOFF = { initialMs: 500, maxMs: 10_000, jitter: 'equal' as const };

/**
 * kafkajs restarts a crashed consumer only after a retriable error. After a non-retriable one it stays stopped for
 * good — e.g. "Failed to find group coordinator" while a restarted broker is still loading its groups (kafkajs#1445,
 * #1630) — and the process would read nothing more while looking alive. This starts such a consumer again (`start`:
 * connect, subscribe, run — kafkajs has disconnected it) with backoff until it runs, unless `signal` aborted (the
 * owner is stopping). A crash during a restart is handled the same way: one restart chain at a time.
 */
export function restartAfterUnrecoverableCrash(
  consumer: Consumer,
  start: () => Promise<void>,
  opts: { signal: AbortSignal; logger: Logger; what: string },
): void {
  const restart = async () => {
    for (let attempt = 1; !opts.signal.aborted; attempt++) {
      try {
        await sleep(backoffDelayMs(attempt, CONSUMER_RESTART_BACKOFF), opts.signal);
        opts.logger.warn({
          msg: `${opts.what}: kafkajs does not restart it after this crash; starting it again`,
          attempt,
        });
        // A crash inside start() (joining the group) emits CRASH again and starts the next chain.
        await start();
        return;
      } catch (e) {
        if (opts.signal.aborted) return;
        opts.logger.warn({ msg: `${opts.what}: could not start again; retrying`, attempt, err: e as Error });
        await consumer.disconnect().catch(() => undefined);
      }
    }
  };
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart && !opts.signal.aborted) void restart();
  });
}
