/** How much the SDK logs; each level includes the ones after it. Default: `ERROR`. */
export enum LogLevel {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARN = 'WARN',
  ERROR = 'ERROR',
  OFF = 'OFF',
}

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
  [LogLevel.OFF]: 4,
};

/**
 * Structured context of a log line. The SDK only ever puts identifiers and counts here (operation, vault
 * ID, table, HTTP status, request ID, attempt, delay): never a record value, a token or a credential.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where the SDK's log lines go. Plug in pino, winston or anything else with these four methods. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Writes to the console, one line per event: `[strongroom-sdk] WARN retrying {"attempt":1,…}`. */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(line('DEBUG', message, fields)),
  info: (message, fields) => console.info(line('INFO', message, fields)),
  warn: (message, fields) => console.warn(line('WARN', message, fields)),
  error: (message, fields) => console.error(line('ERROR', message, fields)),
};

function line(level: string, message: string, fields: LogFields | undefined): string {
  const context = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `[strongroom-sdk] ${level} ${message}${context}`;
}

/** Whether `level` is loud enough to be written under the `threshold`. */
export function shouldLog(threshold: LogLevel, level: Exclude<LogLevel, LogLevel.OFF>): boolean {
  return RANK[level] >= RANK[threshold];
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

/** A logger filtered by a level that can change at run time (`Skyflow.setLogLevel`). */
export class Log {
  constructor(
    private readonly level: () => LogLevel,
    private readonly sink: () => Logger,
  ) {}

  debug(message: string, fields?: LogFields): void {
    if (shouldLog(this.level(), LogLevel.DEBUG)) this.sink().debug(message, fields);
  }
  info(message: string, fields?: LogFields): void {
    if (shouldLog(this.level(), LogLevel.INFO)) this.sink().info(message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    if (shouldLog(this.level(), LogLevel.WARN)) this.sink().warn(message, fields);
  }
  error(message: string, fields?: LogFields): void {
    if (shouldLog(this.level(), LogLevel.ERROR)) this.sink().error(message, fields);
  }
}
