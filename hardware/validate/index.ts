/**
 * The fidelity report behind `nas hw validate`: every reference case of the public tools (Timeloop,
 * SCALE-Sim, MAESTRO, Bit Fusion) found in the reference-data directory, plus the published-silicon
 * checks built into the code (Eyeriss chip table, chip areas). Reference tool outputs are read at
 * run time and never shipped: without the directory the tool suites are skipped, with a reason.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatasetError } from '../../core/errors.ts';
import { bitfusionChecks } from './bitfusion-refs.ts';
import type { Check } from './checks.ts';
import { areaChecks, eyerissChipChecks } from './chip-refs.ts';
import { maestroChecks } from './maestro-refs.ts';
import { scalesimChecks } from './scalesim-refs.ts';
import { timeloopChecks } from './timeloop-refs.ts';

export type { Check } from './checks.ts';

export const SUITES = ['timeloop', 'scalesim', 'maestro', 'bitfusion', 'eyeriss-chip', 'area'] as const;
export type Suite = (typeof SUITES)[number];
const NEEDS_DATA: Readonly<Record<Suite, string | null>> = {
  timeloop: 'timeloop-ref-outputs', scalesim: 'scalesim-v2-golden', maestro: 'maestro-outputs', bitfusion: 'bitfusion-results', 'eyeriss-chip': null, area: null,
};

/** Default location, relative to the working directory (a checkout next to the shared folder). */
export const DEFAULT_DATA_DIR = '../shared/research/data';
export const DATA_ENV = 'NAS_REFERENCE_DATA';

export interface ValidateOptions {
  /** --data DIR; else $NAS_REFERENCE_DATA; else DEFAULT_DATA_DIR when it exists. */
  readonly dataDir?: string;
  readonly suites?: readonly Suite[];
}

export interface ValidationReport {
  readonly dataDir: string | null;
  readonly skipped: readonly { readonly suite: Suite; readonly reason: string }[];
  readonly checks: readonly Check[];
  /** Checks marked exact that differ: a non-empty list fails the command. */
  readonly exactFailures: number;
  /** Goal checks outside their tolerance (reported, not failing). */
  readonly goalMisses: number;
}

/** The reference-data directory to use, or null when none was asked for and the default is absent. */
export function resolveDataDir(explicit = process.env[DATA_ENV]): string | null {
  if (explicit !== undefined && explicit !== '') {
    const dir = resolve(explicit);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new DatasetError(dir, `reference data directory not found (given by --data or ${DATA_ENV}); it holds the public tools' outputs, see ../shared/research/data/README.md`);
    }
    return dir;
  }
  const dir = resolve(DEFAULT_DATA_DIR);
  return existsSync(dir) ? dir : null;
}

export function runValidation(o: ValidateOptions = {}): ValidationReport {
  const dataDir = resolveDataDir(o.dataDir ?? process.env[DATA_ENV]);
  const suites = o.suites ?? SUITES;
  const checks: Check[] = [];
  const skipped: { suite: Suite; reason: string }[] = [];
  for (const s of suites) {
    const need = NEEDS_DATA[s];
    if (need !== null && (dataDir === null || !existsSync(resolve(dataDir, need)))) {
      skipped.push({ suite: s, reason: dataDir === null ? `no reference data (${DEFAULT_DATA_DIR} absent; pass --data DIR or set ${DATA_ENV})` : `${need}/ not in ${dataDir}` });
      continue;
    }
    const dir = dataDir as string;
    if (s === 'timeloop') checks.push(...timeloopChecks(resolve(dir, 'timeloop-ref-outputs')));
    else if (s === 'scalesim') checks.push(...scalesimChecks(dir));
    else if (s === 'maestro') checks.push(...maestroChecks(dir));
    else if (s === 'bitfusion') checks.push(...bitfusionChecks(dir));
    else if (s === 'eyeriss-chip') checks.push(...eyerissChipChecks());
    else checks.push(...areaChecks());
  }
  return {
    dataDir, skipped, checks,
    exactFailures: checks.filter((c) => c.exact && c.pass === false).length,
    goalMisses: checks.filter((c) => !c.exact && c.pass === false).length,
  };
}
