import { LoggerService, LogLevel } from '@nestjs/common';
import { LogContext } from './log-context';
import { Redactor } from './redaction';

const LEVELS: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
const LEVEL_NAME: Record<LogLevel, string> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

export type LogSink = (line: string) => void;

/**
 * JSON lines: time, level, app, context, msg, plus tenant/correlationId from LogContext. Every line goes
 * through the redactor, so a secret that slips into a message or an object is masked.
 */
export class JsonLogger implements LoggerService {
  private minIndex: number;

  constructor(
    private readonly app: string,
    level: LogLevel | 'info' = 'log',
    private readonly sink: LogSink = (l) => process.stdout.write(l + '\n'),
  ) {
    this.minIndex = LEVELS.indexOf(level === 'info' ? 'log' : level);
    if (this.minIndex < 0) this.minIndex = 2;
  }

  setLogLevels(levels: LogLevel[]): void {
    const idx = Math.min(...levels.map((l) => LEVELS.indexOf(l)).filter((i) => i >= 0));
    if (Number.isFinite(idx)) this.minIndex = idx;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS.indexOf(level) < this.minIndex) return;
    // Nest passes the context as the last string argument; errors pass a stack before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: LEVEL_NAME[level], app: this.app };
    if (context) line['context'] = context;
    Object.assign(line, LogContext.current());
    if (message instanceof Error) {
      line['msg'] = message.message;
      line['err'] = message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(line, message);
    } else {
      line['msg'] = String(message);
    }
    for (const a of args) {
      if (typeof a === 'string') line['stack'] = a;
      else if (a instanceof Error) line['err'] = a;
      else if (a && typeof a === 'object') Object.assign(line, a);
    }
    this.sink(JSON.stringify(Redactor.redact(line)));
  }
}
