/** Where each metric of an experiment comes from, as stored with the experiment and in export bundles. */
import { ACCELERATOR_OBJECTIVES } from '../estimators/accelerator.ts';
import { COUNTER_OBJECTIVES } from '../estimators/counter-estimator.ts';
import type { AccuracySource } from './accuracy/source.ts';
import type { ExperimentConfig } from './config.ts';

export function metricProvenance(cfg: ExperimentConfig, accuracy?: Pick<AccuracySource, 'objective' | 'provenance' | 'sampleSize'> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of COUNTER_OBJECTIVES) out[o.name] = 'counters over layers(arch) (BN folded, int32 biases)';
  if (cfg.hardware.mode !== 'none') {
    const hw = cfg.hardware.mode === 'preset' ? `preset ${cfg.hardware.preset}` : 'searched accelerator';
    for (const o of ACCELERATOR_OBJECTIVES) out[o.name] = `hardware cost model (Timeloop-style access counts, EDP-mapped), ${hw}`;
  }
  if (accuracy) out[accuracy.objective.name] = accuracy.provenance;
  if (accuracy?.sampleSize) out[`${accuracy.objective.name}_se`] = `binomial standard error of ${accuracy.objective.name} (points): √(p(1 − p)/n), n = ${accuracy.sampleSize} validation images`;
  else if (cfg.accuracy) out[cfg.accuracy.source === 'naswot' ? 'naswot' : 'accuracy'] = `${cfg.accuracy.source}${cfg.accuracy.checkpoint ? ` ${cfg.accuracy.checkpoint}` : ''}`;
  return out;
}
