/**
 * Accuracy sources by name. The names are the experiment schema's `accuracy.source` enum, and the
 * record below must list each exactly once (the type says so), so a new source is one file plus
 * one line here and in the schema.
 */
import { ConfigError } from '../../core/errors.ts';
import { naswotAccuracy } from './naswot.ts';
import { nb201Accuracy } from './nb201.ts';
import { predictorAccuracy } from './predictor.ts';
import type { AccuracyConfig, AccuracyContext, AccuracyFactory, AccuracySource, AccuracySourceName } from './source.ts';
import { supernetAccuracy } from './supernet.ts';

const SOURCES: Readonly<Record<AccuracySourceName, AccuracyFactory>> = {
  nb201: nb201Accuracy,
  supernet: supernetAccuracy,
  predictor: predictorAccuracy,
  naswot: naswotAccuracy,
};

export function accuracySourceNames(): AccuracySourceName[] {
  return Object.keys(SOURCES) as AccuracySourceName[];
}

export async function createAccuracySource(cfg: AccuracyConfig, ctx: AccuracyContext): Promise<AccuracySource> {
  const factory = (SOURCES as Readonly<Record<string, AccuracyFactory>>)[cfg.source];
  if (!factory) throw new ConfigError('experiment.accuracy.source', cfg.source, `unknown accuracy source; known: ${accuracySourceNames().join(', ')}`);
  return factory(cfg, ctx);
}
