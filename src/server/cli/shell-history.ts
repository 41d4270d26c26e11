/**
 * The shell's history file (~/.erlmesh_history), safe with several shells at once: each entered
 * line is appended as one `write` on a file opened with O_APPEND (whole lines, never spliced
 * into another shell's), oldest first; a shell reads the file once, at its start. Node's own
 * REPL history rewrites the whole file from each shell's memory instead, so two shells
 * overwrote (and cut into) each other's lines.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/** Lines kept; the file is compacted to this when it has grown to twice as many. */
export const HISTORY_SIZE = 1000;

export class ShellHistory {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    /** Newest first (readline's order). */
    readonly entries: string[],
  ) {}

  /** Read `path` (created when missing); throws when it cannot be read or opened. */
  static open(path: string): ShellHistory {
    const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
    if (lines.length > 2 * HISTORY_SIZE) {
      // Compact by renaming a new file over the old one: a concurrent appender loses at most
      // the line it was writing, and no line is ever cut.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${lines.slice(-HISTORY_SIZE).join('\n')}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    }
    const h = new ShellHistory(path, lines.slice(-HISTORY_SIZE).reverse());
    h.fd = openSync(path, 'a', 0o600);
    return h;
  }

  /** Record one entered line (blank lines are not). */
  add(line: string): void {
    if (this.fd === undefined || line.trim() === '' || line.includes('\n')) return;
    writeSync(this.fd, Buffer.from(`${line}\n`, 'utf8'));
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
