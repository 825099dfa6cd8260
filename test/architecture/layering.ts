/**
 * The checks behind test/architecture.test.ts, kept apart so they can be tested on made-up files:
 * the layer table parsed from docs/architecture.md, every module specifier of a source file (read
 * by TypeScript's own pre-processor, so comments and strings never count), and the verdicts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** Layer name → the layers it may import besides itself (`tfjs` = the @tensorflow/* packages). */
export type LayerTable = ReadonlyMap<string, ReadonlySet<string>>;

export const TFJS = 'tfjs';
const BEGIN = '<!-- layers:begin';
const END = '<!-- layers:end -->';

/** Rows between the markers: `| \`folder\` | owns | \`a\`, \`b\` |` (an em dash for none). */
export function parseLayerTable(markdown: string): LayerTable {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/architecture.md: no table between "${BEGIN}" and "${END}"`);
  const table = new Map<string, Set<string>>();
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]?.startsWith('`')) continue; // header, separator, marker
    const folder = (cells[1] as string).replaceAll('`', '');
    const allowed = (cells[cells.length - 2] as string).match(/`[^`]+`/g) ?? [];
    table.set(folder, new Set(allowed.map((a) => a.replaceAll('`', ''))));
  }
  return table;
}

/** Module specifiers of a file: static imports and re-exports (type-only too) and literal dynamic imports. */
export function specifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The layer a repository path belongs to: its top folder, '.' for top-level files. */
export function layerOf(path: string): string {
  const parts = path.split('/');
  return parts.length > 1 ? (parts[0] as string) : '.';
}

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly problem: string;
}

/** What `file` (a repository path) importing `spec` violates, or null. */
export function checkImport(table: LayerTable, file: string, spec: string): Violation | null {
  const from = layerOf(file);
  const allowed = table.get(from);
  let to: string | null;
  if (spec.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    if (target.startsWith('..')) return { file, specifier: spec, problem: 'imports from outside the repository' };
    to = layerOf(target);
  } else {
    to = spec.startsWith('@tensorflow/') ? TFJS : null; // node: built-ins and other npm packages are free
  }
  if (to === null || to === from) return null;
  if (from === '.') return { file, specifier: spec, problem: `a top-level file may import npm packages only, not ${to}` };
  if (!allowed) return { file, specifier: spec, problem: `folder ${from} has no row in docs/architecture.md` };
  if (allowed.has(to)) return null;
  return { file, specifier: spec, problem: `${from} may not import ${to} (allowed: ${[...allowed].join(', ') || 'nothing'})` };
}

const SKIP = new Set(['node_modules', '.git', '.cache', 'test-artifacts', 'runs']);
const SOURCE = /\.(ts|mts|mjs|js|cjs)$/;

/** Every source file under `root`, as repository paths with '/' separators (build output skipped). */
export function sourceFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const rel = relative(root, full).split(sep).join('/');
    if (SKIP.has(name) || name.startsWith('.') || rel === 'runtime/kernels/build') continue;
    if (statSync(full).isDirectory()) out.push(...sourceFiles(root, full));
    else if (SOURCE.test(name)) out.push(rel);
  }
  return out.sort();
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}
