import { LoggerService } from '@nestjs/common';
import { LogLevel } from '../config/app-config';
import { redact } from './redact';
import { currentRequestId } from './request-context';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
type Sink = (line: string) => void;

/** One JSON object per line on stdout, with the request id of the current request and secrets redacted. */
export class JsonLogger implements LoggerService {
  private static sink: Sink = (line) => process.stdout.write(`${line}\n`);

  constructor(private readonly minimumLevel: LogLevel = 'info') {}

  /** Tests capture log lines to prove that secrets and card data never reach the logs. */
  static setSink(sink: Sink): void {
    JsonLogger.sink = sink;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
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
    this.write('debug', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minimumLevel]) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, context, requestId: currentRequestId() };
    if (typeof message === 'object' && message !== null) Object.assign(entry, redact(message));
    else entry.msg = String(message);
    const stack = rest.find((item) => typeof item === 'string' && item.includes('\n    at '));
    if (stack) entry.stack = stack;
    JsonLogger.sink(JSON.stringify(entry));
  }
}
