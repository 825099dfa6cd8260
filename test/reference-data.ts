/**
 * Where the tests find the reference data of public tools (Timeloop, SCALE-Sim, NAS-Bench-201, …):
 * `../shared/research/data` beside the project root, never a fixed absolute path, so a clone
 * without it (a user's, or CI's second run with the data hidden) skips those tests with the reason
 * in their names. Nothing from there is ever copied into the repository.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultNb201CsvPath } from '../datasets/nb201-source.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_DATA = resolve(projectRoot, '..', 'shared', 'research', 'data');

/** The path under the reference data, or undefined when it is absent. */
export function referenceData(...parts: string[]): string | undefined {
  const p = join(REFERENCE_DATA, ...parts);
  return existsSync(p) ? p : undefined;
}

/** Appended to the name of a test that needs the reference data, so a skip says why. */
export function needsReferenceData(...parts: string[]): string {
  return referenceData(...parts) ? '' : ` (skipped: needs reference data ${join(REFERENCE_DATA, ...parts)})`;
}

/** The NAS-Bench-201 table (downloaded with `nas datasets get nb201`, or the reference copy), if present. */
export const NB201_TABLE = existsSync(defaultNb201CsvPath()) ? defaultNb201CsvPath() : undefined;
export const NEEDS_NB201 = NB201_TABLE ? '' : ` (skipped: needs the NAS-Bench-201 table, absent at ${defaultNb201CsvPath()}; get it with nas datasets get nb201)`;
