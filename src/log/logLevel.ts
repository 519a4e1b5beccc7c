export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(value: unknown, fallback: LogLevel = 'info'): LogLevel {
  return LOG_LEVELS.includes(value as LogLevel) ? (value as LogLevel) : fallback;
}

/** True when a message of `level` should be written under the configured `threshold`. */
export function isEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}
