/**
 * Where a search's accuracy comes from: one async function per candidate network, built once per
 * search from the experiment's `accuracy` block. Each source lives in its own file of this folder
 * and is found by name in registry.ts (the names are the experiment schema's `accuracy.source`).
 */
import type { ProgressFn } from '../../core/progress.ts';
import type { Rng } from '../../core/rng.ts';
import type { Arch, Objective } from '../../core/types.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import type { Storage } from '../../storage/storage.ts';
import type { AccuracyCheck } from '../../supernet/verify.ts';
import type { ExperimentConfig } from '../config.ts';

export interface AccuracySource {
  readonly objective: Objective;
  readonly provenance: string;
  /** supernet: the checkpoint's recorded accuracy, re-measured before use (set once `ready` resolved). */
  readonly verified?: AccuracyCheck;
  /**
   * Checks the source still runs before it may be used — the supernet's checkpoint verification on
   * a scoring worker — so the platform can start other work alongside (createPlatform awaits it;
   * `provenance` and `verified` are final once it resolved; it rejects when the check fails).
   */
  readonly ready?: Promise<void>;
  /**
   * Images each score is measured on, when it is a proportion measured on a sample (the supernet's
   * validation images): its binomial standard error is then √(p(1 − p)/n).
   */
  readonly sampleSize?: number;
  score(arch: Arch): Promise<number>;
  /** Many archs at once, in parallel where the source can (the supernet's worker pool); same values as `score`. */
  scoreMany?(archs: readonly Arch[]): Promise<number[]>;
  dispose(): void;
}

export type AccuracyConfig = NonNullable<ExperimentConfig['accuracy']>;
export type AccuracySourceName = AccuracyConfig['source'];

/** What a source may use besides its own config block. */
export interface AccuracyContext {
  /** The network space of the experiment (not the joint space). */
  readonly space: NetworkSpace<Arch>;
  /** The experiment's root stream; sources fork their own labels from it. */
  readonly rng: Rng;
  /** Read-only access to stored accuracy predictors (`accuracy.source: predictor`). */
  readonly predictors: PredictorReader;
  /** Told when a slow phase starts (loading data, verifying a checkpoint, starting workers). */
  readonly progress?: ProgressFn;
}

/** The one storage call an accuracy source makes: a read-only port, so validation never writes. */
export type PredictorReader = Pick<Storage, 'listPredictors'>;

export type AccuracyFactory = (cfg: AccuracyConfig, ctx: AccuracyContext) => Promise<AccuracySource>;
