/**
 * One worker thread of the accelerator-table pool (platform/accel-tables.ts). Two kinds of task:
 * - `compile`: the cost table of one accelerator for the mbconv space, into the on-disk cache
 *   (`cachedAcceleratorCost`, whose files are exact); returns where it is, so the main thread
 *   loads it instead of mapping ~5,200 layers itself. A table already cached is only checked.
 * - `screen`: the exact cost of a few networks on one accelerator, mapped layer by layer (the
 *   estimator's own figures, no table): how the surrogate compares candidate accelerators before
 *   paying for a table. The worker's CostModel keeps its mapped layers across tasks.
 */
import { CostModel, accelArch, type AccelConfig } from '../hardware/index.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { acceleratorEstimator } from './accelerator.ts';
import { cachedAcceleratorCost } from './accelerator-table.ts';

export interface TableTask {
  readonly kind: 'compile';
  readonly spaceConfig: unknown;
  /** A searched accelerator config, or a preset's name. */
  readonly hw: AccelConfig | string;
  readonly dir: string;
}

export interface ScreenTask {
  readonly kind: 'screen';
  readonly spaceConfig: unknown;
  readonly hw: AccelConfig | string;
  readonly archs: readonly MbconvArch[];
}

export interface TableDone {
  readonly file: string;
  readonly loaded: boolean;
  readonly buildMs: number;
}

const model = new CostModel();

export default async function task(t: TableTask | ScreenTask): Promise<TableDone | Record<string, number>[]> {
  const space = new MbconvSpace(t.spaceConfig);
  const spec = typeof t.hw === 'string' ? t.hw : accelArch(t.hw);
  if (t.kind === 'screen') {
    const estimator = acceleratorEstimator(space, model, () => spec);
    return Promise.all(t.archs.map(async (a) => ({ ...(await estimator.estimate(a, null)).values })));
  }
  const r = cachedAcceleratorCost(space, new CostModel(), spec, t.dir);
  return { file: r.file, loaded: r.loaded, buildMs: r.compiled.buildMs };
}
