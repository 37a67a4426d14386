import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContextFields {
  tenant?: string;
  correlationId?: string;
  messageId?: string;
  topic?: string;
  [key: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogContextFields>();

/** Carries tenant and correlation id through async work so every log line of a message names them. */
export const LogContext = {
  run<T>(fields: LogContextFields, fn: () => T): T {
    return storage.run({ ...(storage.getStore() ?? {}), ...fields }, fn);
  },
  current(): LogContextFields {
    return storage.getStore() ?? {};
  },
};
