import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { restartAfterUnrecoverableCrash } from './consumer-restart';

/** The part of a kafkajs consumer the restart uses: CRASH listeners and disconnect. */
function fakeConsumer() {
  const listeners: Array<(e: { payload: { error: Error; restart: boolean } }) => void> = [];
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (_event: string, listener: (typeof listeners)[number]) => {
      listeners.push(listener);
      return () => undefined;
    },
    disconnect: jest.fn(async () => undefined),
  };
  const crash = (restart: boolean) =>
    listeners.forEach((l) => l({ payload: { error: new Error('Failed to find group coordinator'), restart } }));
  return { consumer: consumer as unknown as Consumer, disconnect: consumer.disconnect, crash };
}

describe('restarting a consumer kafkajs gave up on', () => {
  const logger = new Logger('test');
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('leaves a crash kafkajs restarts itself alone', async () => {
    const { consumer, crash } = fakeConsumer();
    const start = jest.fn(async () => undefined);
    restartAfterUnrecoverableCrash(consumer, start, { signal: new AbortController().signal, logger, what: 'g' });
    crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();
  });

  it('starts it again after a crash kafkajs does not restart, retrying with backoff until it runs', async () => {
    const { consumer, crash, disconnect } = fakeConsumer();
    let calls = 0;
    const start = jest.fn(async () => {
      if (++calls < 3) throw new Error('connect ECONNREFUSED');
    });
    restartAfterUnrecoverableCrash(consumer, start, { signal: new AbortController().signal, logger, what: 'g' });
    crash(false);
    await jest.advanceTimersByTimeAsync(200);
    expect(start).not.toHaveBeenCalled(); // not at once: after a backoff
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(3);
    expect(disconnect).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(3);
  });

  it('a crash while starting again starts the next attempt', async () => {
    const { consumer, crash } = fakeConsumer();
    let calls = 0;
    // kafkajs reports a failed join as a crash (run() itself resolves).
    const start = jest.fn(async () => {
      if (++calls === 1) crash(false);
    });
    restartAfterUnrecoverableCrash(consumer, start, { signal: new AbortController().signal, logger, what: 'g' });
    crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('does nothing once its owner is stopping', async () => {
    const { consumer, crash } = fakeConsumer();
    const start = jest.fn(async () => undefined);
    const stopping = new AbortController();
    restartAfterUnrecoverableCrash(consumer, start, { signal: stopping.signal, logger, what: 'g' });
    crash(false);
    stopping.abort();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();
    crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();
  });
});
