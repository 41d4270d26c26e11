/** System log lines of a node (refused connections, timeouts, service failures). */
export type LogLevel = 'info' | 'warning' | 'error';

export interface LogEntry {
  level: LogLevel;
  node: string;
  text: string;
}
