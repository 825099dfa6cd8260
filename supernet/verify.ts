/**
 * Checking a checkpoint before trusting it: re-run the evaluation that training recorded for the
 * largest subnet after its last epoch (same calibration seed, images and validation subset) and
 * compare. On the backend that trained it the figure is reproduced exactly; another backend's float
 * rounding may move a few predictions, hence the tolerance. A mismatch beyond it means the weights,
 * the dataset or the evaluation code are not what produced the recorded accuracy.
 */
import { ConfigError } from '../core/errors.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import type { TrainState } from './checkpoint.ts';
import { evaluateSubnet, type EvalData, type EvalOptions, type SubnetScore } from './evaluate.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import type { TrainConfig } from './train.ts';

export interface AccuracyCheck {
  readonly recorded: number;
  readonly measured: number;
  readonly images: number;
  readonly epochs: number;
  /** Set when the check was read from a cache of passed verifications: when it was measured (ISO time). */
  readonly cachedFrom?: string;
}

/** Default tolerance: half a percentage point of validation accuracy. */
export const VERIFY_TOLERANCE = 0.005;

/** The evaluation training recorded for the largest subnet (its calibration seed, images and validation subset). */
export function verificationOptions(state: TrainState<Partial<TrainConfig>>): EvalOptions {
  const o = state.options;
  return {
    ...(o.calibImages !== undefined ? { calibImages: o.calibImages } : {}),
    ...(o.valLimit !== undefined ? { valLimit: o.valLimit } : {}),
    seed: `${o.seed ?? 'supernet'}:calibration`,
  };
}

/** The last recorded largest-subnet accuracy, or a config error when training recorded none. */
function lastRecord(state: TrainState<Partial<TrainConfig>>, dir: string): { valAccuracyLargest: number; epoch: number } {
  const last = state.history[state.history.length - 1];
  if (!last || !Number.isFinite(last.valAccuracyLargest)) throw new ConfigError('checkpoint', dir, 'records no validation accuracy to verify (trained without a validation split?)');
  return last;
}

/**
 * Compares a re-measured score of the largest subnet (`verificationOptions`, scored in this thread
 * or on a scoring worker: the same figure) with the recorded one.
 */
export function checkRecorded(state: TrainState<Partial<TrainConfig>>, score: Pick<SubnetScore, 'accuracy' | 'total'>, dir: string, tolerance = VERIFY_TOLERANCE): AccuracyCheck {
  const last = lastRecord(state, dir);
  const check = { recorded: last.valAccuracyLargest, measured: score.accuracy, images: score.total, epochs: last.epoch };
  if (Math.abs(check.measured - check.recorded) > tolerance) {
    throw new ConfigError(
      'checkpoint', dir,
      `records largest-subnet validation accuracy ${(100 * check.recorded).toFixed(2)} % but scores ${(100 * check.measured).toFixed(2)} % on ${check.images} images: the weights, dataset or evaluation differ from training`,
    );
  }
  return check;
}

export function verifyRecordedAccuracy(
  net: MbconvSupernet,
  space: MbconvSpace,
  state: TrainState<Partial<TrainConfig>>,
  data: EvalData,
  dir: string,
  tolerance = VERIFY_TOLERANCE,
): AccuracyCheck {
  lastRecord(state, dir);
  return checkRecorded(state, evaluateSubnet(net, space.largest(), data, verificationOptions(state)), dir, tolerance);
}
