/**
 * The level of a system log line of a node (refused connections, timeouts, service failures).
 *
 * @example
 * const shown: LogLevel[] = ['warning', 'error'];
 * node.onLog((e) => { if (shown.includes(e.level)) console.log(e.text); });
 */
export type LogLevel = 'info' | 'warning' | 'error';

/**
 * A system log line of a node, as `node.onLog` hands it.
 *
 * @example
 * node.onLog((e: LogEntry) => console.log(`[${e.node}] ${e.level}: ${e.text}`));
 */
export interface LogEntry {
  level: LogLevel;
  node: string;
  text: string;
}
