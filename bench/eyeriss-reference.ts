/**
 * The largest and smallest subnets scored exactly as a search scored its trials — the experiment's
 * own accuracy source (supernet, validation images, calibration seed) and cost model — but on the
 * `eyeriss` preset: the reference the headline and side-by-side benchmarks compare against.
 */
import type { JsonObject, Metrics } from '../core/types.ts';
import type { NetworkSpace } from '../core/space/space.ts';
import { installKernels } from '../runtime/kernels/install.ts';
import { initTf } from '../runtime/tf.ts';
import { createPlatform } from '../platform/create-platform.ts';
import { parseExperiment, type ExperimentConfig } from '../platform/config.ts';
import { createSpace } from '../search-space/registry.ts';
import { MemoryStorage } from '../storage/memory.ts';

export async function eyerissReference(cfg: ExperimentConfig): Promise<{ largest: Metrics; smallest: Metrics }> {
  installKernels();
  await initTf();
  const refCfg = parseExperiment({ ...cfg, name: undefined, hardware: { mode: 'preset', preset: 'eyeriss' }, strategy: { name: 'random', options: {} }, constraints: [], objectives: ['accuracy', 'edp_uj_ms'] });
  const platform = await createPlatform(refCfg, { predictors: new MemoryStorage() });
  const net = createSpace(cfg.space, cfg.spaceConfig) as NetworkSpace<JsonObject>;
  try {
    return { largest: await platform.evaluate(net.largest()), smallest: await platform.evaluate(net.smallest()) };
  } finally {
    platform.dispose();
  }
}
