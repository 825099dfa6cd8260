/**
 * One worker thread of the accelerator-table pool (cli/experiment/accel-tables.ts): compiles the
 * cost table of one accelerator for the mbconv space into the on-disk cache (`cachedAcceleratorCost`,
 * whose files are exact) and returns where it is, so the main thread loads it instead of mapping
 * ~5,200 layers itself. A table already cached is only checked, not rebuilt.
 */
import { CostModel, accelArch, type AccelConfig } from '../hardware/index.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import { cachedAcceleratorCost } from './accelerator-table.ts';

export interface TableTask {
  readonly spaceConfig: unknown;
  /** A searched accelerator config, or a preset's name. */
  readonly hw: AccelConfig | string;
  readonly dir: string;
}

export interface TableDone {
  readonly file: string;
  readonly loaded: boolean;
  readonly buildMs: number;
}

export default function compileTask(task: TableTask): TableDone {
  const space = new MbconvSpace(task.spaceConfig);
  const spec = typeof task.hw === 'string' ? task.hw : accelArch(task.hw);
  const r = cachedAcceleratorCost(space, new CostModel(), spec, task.dir);
  return { file: r.file, loaded: r.loaded, buildMs: r.compiled.buildMs };
}
