/**
 * Checkpoints as workers and coordinators name them: by the weights hash recorded in the checkpoint's
 * state.json (and verified against the weights file whenever it is loaded), so two machines agree on
 * "the same supernet" whatever directory it sits in.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { ExperimentConfig } from '../platform/config.ts';
import { hasCheckpoint, readTrainState } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';

/** The weights hash an experiment's accuracy needs, or null (no supernet involved). */
export function requiredCheckpoint(cfg: ExperimentConfig): string | null {
  if (cfg.accuracy?.source !== 'supernet') return null;
  return readTrainState(cfg.accuracy.checkpoint ?? EMBEDDED_SUPERNET_DIR).weightsSha256;
}

/** weightsSha256 → directory for the given checkpoint directories (default: the one shipped in models/). */
export function checkpointMap(dirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of dirs.length > 0 ? dirs : [EMBEDDED_SUPERNET_DIR]) {
    const dir = resolve(d);
    if (!hasCheckpoint(dir)) throw new ConfigError('--checkpoint', d, 'is not a supernet checkpoint directory (no state.json)');
    out.set(readTrainState(dir).weightsSha256, dir);
  }
  return out;
}
