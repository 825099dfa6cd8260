/**
 * What the UI states about an experiment beyond its records: the dataset its accuracy is measured
 * on (read from the config and, for supernet experiments, the checkpoint it names) and the
 * provenance of every metric (as `nas search` recorded it, else derived from the config), and the
 * units of every metric the platform can produce (objectives or not).
 */
import type { ExperimentRecord } from '../storage/types.ts';
import type { Storage } from '../storage/storage.ts';
import { readTrainState } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { parseExperiment, type ExperimentConfig } from './config.ts';
import { recordedProvenance } from './export-trial.ts';
import { metricProvenance } from './provenance.ts';
import { COUNTER_OBJECTIVES } from '../estimators/counter-estimator.ts';
import { ACCELERATOR_OBJECTIVES } from '../estimators/accelerator.ts';

function datasetOf(cfg: ExperimentConfig): string | null {
  const a = cfg.accuracy;
  if (!a) return null;
  switch (a.source) {
    case 'supernet': {
      let name = 'the checkpoint\'s dataset';
      try {
        name = readTrainState(a.checkpoint ?? EMBEDDED_SUPERNET_DIR).dataset;
      } catch {
        // checkpoint moved or deleted since the search: say what the config says
      }
      return `${name} — accuracy on ${a.valLimit} validation images, BN recalibrated on ${a.calibImages} training images`;
    }
    case 'nb201':
      return `NAS-Bench-201 ${a.nb201Dataset} (tabulated accuracy)`;
    case 'naswot':
      return `fashion-mnist training minibatch of ${a.batch} (NASWOT score, not an accuracy)`;
    case 'predictor':
      return 'predicted by the stored accuracy predictor of the space';
  }
}

export function experimentDescriber(storage: Storage) {
  return async (exp: ExperimentRecord) => {
    let cfg: ExperimentConfig | null = null;
    try {
      cfg = parseExperiment(exp.config);
    } catch {
      // not written by `nas search` (e.g. hand-made records): nothing more to say
    }
    const recorded = await recordedProvenance(storage, exp.id);
    const units = Object.fromEntries([...COUNTER_OBJECTIVES, ...ACCELERATOR_OBJECTIVES, ...exp.objectives].map((o) => [o.name, o.unit]));
    return { dataset: cfg ? datasetOf(cfg) : null, provenance: recorded ?? (cfg ? metricProvenance(cfg) : {}), units };
  };
}
