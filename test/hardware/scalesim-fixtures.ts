/**
 * Locates the shared reference data (../shared/research/data from the project root) and parses
 * SCALE-Sim report CSVs at run time; nothing from those files is copied into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DATA as DATA_DIR } from '../reference-data.ts';

export { DATA_DIR };

export function dataPath(...parts: string[]): string {
  return join(DATA_DIR, ...parts);
}

export function hasData(...parts: string[]): boolean {
  return existsSync(dataPath(...parts));
}

export const SKIP_REASON = `reference data not found at ${DATA_DIR} (../shared/research/data is absent)`;

/** One report as column title → numeric column; titles are trimmed, trailing empty cells dropped. */
export interface Report {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, number>>[];
}

export function readReport(path: string): Report {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cells = (l: string): string[] => {
    const c = l.split(',').map((x) => x.trim());
    while (c.length > 0 && c[c.length - 1] === '') c.pop();
    return c;
  };
  const columns = cells(lines[0] ?? '');
  const rows = lines.slice(1).map((l) => {
    const row: Record<string, number> = {};
    cells(l).forEach((v, i) => {
      const key = columns[i];
      if (key !== undefined) row[key] = Number(v);
    });
    return row;
  });
  return { columns, rows };
}

export function col(row: Readonly<Record<string, number>>, name: string): number {
  const v = row[name];
  if (v === undefined || Number.isNaN(v)) throw new Error(`report column "${name}" missing or not numeric`);
  return v;
}
