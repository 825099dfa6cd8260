/** Accuracy from the latest stored accuracy predictor of the experiment's space (`nas predictor train`). */
import { NotFoundError } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import { AccuracyPredictor, ACCURACY_OBJECTIVE, type AccuracyPredictorMeta } from '../../estimators/accuracy/accuracy-predictor.ts';
import type { AccuracyFactory } from './source.ts';

export const predictorAccuracy: AccuracyFactory = async (_cfg, { space, predictors }) => {
  const rec = (await predictors.listPredictors('accuracy')).find((p) => (p.metadata as JsonObject | null)?.['space'] === space.name);
  if (!rec?.blob) throw new NotFoundError(`accuracy predictor for space ${space.name} (run \`nas predictor train --kind accuracy\`)`, space.name);
  const predictor = AccuracyPredictor.deserialize(space, rec.metadata as AccuracyPredictorMeta, rec.blob);
  return {
    objective: ACCURACY_OBJECTIVE,
    provenance: `predictor#${rec.id}:${predictor.meta.source}`,
    score: async (arch) => predictor.predict([arch])[0] as number,
    dispose: () => predictor.dispose(),
  };
};
