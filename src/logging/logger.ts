import { pino, type Logger, type DestinationStream } from 'pino';
import { redactValue, scrubString } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go (stdout by default); tests pass a sink. */
  readonly destination?: DestinationStream;
}

/**
 * pino, JSON lines, with patient data redacted centrally: every object merged into a line goes through
 * `redactValue`, and every message string through `scrubString`. Callers still should not log patient
 * data; this is the net under them.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'dmp-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => redactValue(obj) as Record<string, unknown>,
        bindings: (b) => redactValue(b) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
      serializers: {
        err: (e: unknown) => redactValue(e),
      },
    },
    options.destination,
  );
}
