/** A reduced mbconv space, a freshly initialised supernet and synthetic images: a real relaxed problem that runs in milliseconds per step. */
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { layerMacs, type Metrics } from '../../core/types.ts';
import type { AccelConfig, CostModel } from '../../hardware/index.ts';
import type { CostTable } from '../../estimators/expected-cost.ts';
import { mbconvMetricTable, mbconvRelaxedProblem, type MbconvRelaxedProblem } from '../../estimators/relaxed-mbconv.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { pixelStats } from '../../supernet/batches.ts';
import { syntheticImages } from '../supernet/tiny.ts';
installKernels();

export const relaxedSpace = new MbconvSpace({
  resolutions: [12, 16], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2, 3], weightBits: [4, 8], activationBits: [4, 8],
  stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16,
});

export function macsOf(arch: MbconvArch): number {
  return relaxedSpace.layers(arch).reduce((s, l) => s + layerMacs(l), 0) / 1e6;
}

export async function evaluateMacs(c: { x: MbconvArch }): Promise<Metrics> {
  return { macs_m: macsOf(c.x) };
}

export interface RelaxedFixture {
  readonly problem: MbconvRelaxedProblem;
  readonly net: MbconvSupernet;
  dispose(): void;
}

/** Float forward unless `quantize` (3× faster steps on this tiny net). Tables: MACs by default; energy (and area) when a model and a pool or preset are given. */
export function relaxedFixture(
  opts: { space?: MbconvSpace; pool?: readonly AccelConfig[]; model?: CostModel; metrics?: readonly string[]; quantize?: boolean } = {},
): RelaxedFixture {
  const space = opts.space ?? relaxedSpace;
  const net = new MbconvSupernet(space.config, new Rng('fixture-supernet'));
  const train = syntheticImages('relaxed-train', 64, 16);
  const src = { ...(opts.model ? { model: opts.model } : {}), ...(opts.pool ? { pool: opts.pool } : {}) };
  const tables: CostTable[] = (opts.metrics ?? ['macs_m']).map((m) => mbconvMetricTable(space, m, src));
  const problem = mbconvRelaxedProblem({ space, supernet: net, data: { train, norm: pixelStats(train) }, tables, quantize: opts.quantize ?? false, ...(opts.pool ? { pool: opts.pool } : {}) });
  return { problem, net, dispose: () => { problem.dispose(); net.dispose(); } };
}
