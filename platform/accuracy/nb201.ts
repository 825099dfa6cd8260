/** Accuracy by lookup in the NAS-Bench-201 table (ground truth of the 15,625 cells). */
import { ConfigError } from '../../core/errors.ts';
import { ACCURACY_OBJECTIVE } from '../../estimators/accuracy/accuracy-predictor.ts';
import type { Nb201Arch } from '../../search-space/nb201-arch.ts';
import { loadNb201Table } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import type { AccuracyFactory } from './source.ts';

export const nb201Accuracy: AccuracyFactory = async (cfg, { space, progress }) => {
  if (space.name !== 'nb201') throw new ConfigError('experiment.accuracy.source', 'nb201', 'needs space: nb201');
  progress?.({ phase: 'loading the NAS-Bench-201 table', done: 0, total: 0 });
  const table = loadNb201Table(cfg.nb201Csv ?? defaultNb201CsvPath());
  return {
    objective: ACCURACY_OBJECTIVE,
    provenance: `nb201:${cfg.nb201Dataset}:${table.path}`,
    score: async (arch) => table.accuracyOf(arch as Nb201Arch, cfg.nb201Dataset),
    dispose: () => {},
  };
};
