/**
 * The one logger of every function: a structured entry per line, written through the console
 * method of its level, so Lambda's JSON log format (and CloudWatch's level filter) sees ERROR as
 * ERROR rather than every line as INFO. Components take a `Log` so tests and the local stack can
 * pass their own.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogEntry = { level: LogLevel; message: string } & Record<string, unknown>;
export type Log = (entry: LogEntry) => void;

const WRITE: Record<LogLevel, (line: string) => void> = {
  DEBUG: (line) => console.debug(line),
  INFO: (line) => console.info(line),
  WARN: (line) => console.warn(line),
  ERROR: (line) => console.error(line),
};

/** Writes the entry as one JSON line at its level; an entry that cannot be serialised says so instead of throwing. */
export const log: Log = (entry) => {
  let line: string;
  try {
    line = JSON.stringify(entry);
  } catch (error) {
    line = JSON.stringify({ level: entry.level, message: entry.message, logError: String(error) });
  }
  WRITE[entry.level](line);
};
