/**
 * Small shared pieces of the CLI: package metadata, output helpers (one JSON document on stdout for
 * --json; aligned text tables otherwise) and the options every database command takes.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.ts';

const pkgUrl = new URL('../package.json', import.meta.url);

export function packageVersion(): string {
  return (JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string }).version;
}

export const DEFAULT_DB = './nas.db';

/** Adds `--db FILE` with the project default, so every database command spells it the same way. */
export function withDb(cmd: Command): Command {
  return cmd.option('--db <file|url>', 'SQLite database file, or postgres://user@host:port/database[?schema=NAME]', DEFAULT_DB);
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON document on stdout');
}

/** The root program's global options (e.g. --backend), reachable from any subcommand. */
export function globalOptions(cmd: Command): { backend?: string } {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return root.opts<{ backend?: string }>();
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface Column<T> {
  readonly header: string;
  readonly get: (row: T) => string | number | null | undefined;
  readonly align?: 'left' | 'right';
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c.get(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]?.align === 'right' ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

function cellText(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return v;
}

/** Commander argument parser for integer flags: a bad value is a ConfigError naming the flag. */
export function intArg(flag: string, min = 0): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new ConfigError(flag, value, `must be an integer >= ${min}`);
    }
    return n;
  };
}

/**
 * An AbortSignal fired by the first Ctrl-C, or by SIGTERM / SIGHUP (`kill PID`, a closed terminal),
 * so the work in flight ends cleanly and resumably; a second signal exits at once, as users expect.
 */
export function interruptSignal(): { signal: AbortSignal; abort: () => void; release: () => void } {
  const ctl = new AbortController();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (name: string) => {
    if (ctl.signal.aborted) process.exit(130);
    process.stderr.write(`\nnas: ${name === 'SIGINT' ? 'Ctrl-C' : name}: stopping after the current evaluation (${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit now)\n`);
    ctl.abort();
  };
  for (const s of signals) process.on(s, onSignal);
  return { signal: ctl.signal, abort: () => ctl.abort(), release: () => { for (const s of signals) process.off(s, onSignal); } };
}
