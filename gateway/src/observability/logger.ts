import winston from 'winston';
import { currentContext } from './context';
import { redact } from './redact';

/** Adds the correlation id and business ids of the current request/job, then redacts everything. */
const contextAndRedaction = winston.format((info) => {
  const context = currentContext();
  const { level, message, ...rest } = info;
  const safe = redact({ ...context, ...rest }) as Record<string, unknown>;
  const out = Object.assign(info, safe);
  out.level = level;
  out.message = typeof message === 'string' ? (redact(message) as string) : redact(message);
  // winston keeps splat/meta under symbols; the visible fields are what we just rewrote.
  return out;
});

export type Logger = winston.Logger;

export function createLogger(options: { level?: string; stream?: NodeJS.WritableStream; service?: string } = {}): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error'] });
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service ?? 'gateway' },
    format: winston.format.combine(
      winston.format.errors({ stack: false }),
      winston.format.timestamp(),
      contextAndRedaction(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}

/** The process-wide logger; replaced at start-up with the configured level. */
export let logger: Logger = createLogger({ level: process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'error' : 'info') });

export function setLogger(next: Logger): void {
  logger = next;
}
