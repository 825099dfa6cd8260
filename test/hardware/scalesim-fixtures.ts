/**
 * Locates the shared reference data (../shared/research/data from the project root) and parses
 * SCALE-Sim report CSVs at run time; nothing from those files is copied into the repository.
 */
import { existsSync } from 'node:fs';
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

export { col, readReport, type Report } from '../../hardware/scalesim/report.ts';
