import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { KafkaSettings } from './kafka-settings';

const levelName: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** The one place a kafkajs client is created; its logs go through the app's JSON logger. */
export function createKafka(settings: KafkaSettings): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        // Start-up notices, not problems: the partitioner change, and the idempotent producer's retry
        // warning (retries are bounded on purpose so a publish fails visibly instead of hanging forever).
        if (
          typeof message === 'string' &&
          (message.includes('switched default partitioner') ||
            message.includes('Limiting retries for the idempotent producer'))
        )
          return;
        // Leader elections right after topic creation are retried by kafkajs itself: not an error for the operator.
        const transientLeader =
          typeof extra['error'] === 'string' && /not the leader|leader not available/i.test(extra['error']);
        logger[transientLeader ? 'debug' : (levelName[level] ?? 'log')]({ msg: message, ...extra });
      },
  });
}
