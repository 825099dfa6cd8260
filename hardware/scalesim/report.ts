/** Reader for SCALE-Sim v2 report CSVs (COMPUTE, BANDWIDTH, DETAILED_ACCESS): column title → number. */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../core/errors.ts';

/** One report as column title → numeric column; titles are trimmed, trailing empty cells dropped. */
export interface Report {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, number>>[];
}

/** A CSV as trimmed text cells per row (trailing empty cells dropped). */
export function readCsvText(path: string): { columns: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cells = (l: string): string[] => {
    const c = l.split(',').map((x) => x.trim());
    while (c.length > 0 && c[c.length - 1] === '') c.pop();
    return c;
  };
  return { columns: cells(lines[0] ?? ''), rows: lines.slice(1).map(cells) };
}

export function readReport(path: string): Report {
  const { columns, rows: text } = readCsvText(path);
  const rows = text.map((cells) => {
    const row: Record<string, number> = {};
    cells.forEach((v, i) => {
      const key = columns[i];
      if (key !== undefined) row[key] = Number(v);
    });
    return row;
  });
  return { columns, rows };
}

export function col(row: Readonly<Record<string, number>>, name: string, file = 'report'): number {
  const v = row[name];
  if (v === undefined || Number.isNaN(v)) throw new DatasetError(file, `column "${name}" missing or not numeric`);
  return v;
}
