/**
 * The relaxed problem of a differentiable search (strategies/relaxed-problem.ts), built from the
 * experiment: the supernet checkpoint of `accuracy.checkpoint` or the shipped one (loaded on its own, so fine-tuning
 * never touches the weights that score candidates), its training split, and exact cost tables for
 * every cost the strategy weighs or a constraint limits. In joint hardware mode the accelerator is
 * relaxed over a pool of `hwPool` configs sampled within the area budget from the experiment seed.
 */
import { ConfigError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import type { JsonObject } from '../core/types.ts';
import { loadDataset } from '../datasets/registry.ts';
import type { CostModel } from '../hardware/index.ts';
import type { CostTable } from '../estimators/expected-cost.ts';
import { RELAXED_METRICS, mbconvMetricTable, mbconvRelaxedProblem, sampleAccelPool, type CostSources } from '../estimators/relaxed-mbconv.ts';
import { loadSupernet } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import type { Constraint } from '../strategies/constraints.ts';
import type { DifferentiableOptions } from '../strategies/differentiable.ts';
import { parseStrategyOptions } from '../strategies/registry.ts';
import type { RelaxedProblem } from '../strategies/relaxed-problem.ts';
import { areaBudgetOf } from './area-limits.ts';
import type { ExperimentConfig } from './config.ts';

export interface RelaxedSource {
  readonly problem: RelaxedProblem<JsonObject>;
  dispose(): void;
}

/** `rng` is the experiment's root stream (the accelerator pool is its `relaxed-accel-pool` fork). */
export function createRelaxedSource(cfg: ExperimentConfig, constraints: readonly Constraint[], model: CostModel, rng: Rng): RelaxedSource {
  if (cfg.space !== 'mbconv') throw new ConfigError('experiment.strategy.name', 'differentiable', 'needs space: mbconv (the relaxed supernet)');
  if (cfg.accuracy?.source !== 'supernet') throw new ConfigError('experiment.accuracy.source', cfg.accuracy?.source, 'the differentiable strategy needs accuracy.source: supernet');
  // The same default as the accuracy source (which also verifies the checkpoint's recorded accuracy).
  const checkpoint = cfg.accuracy.checkpoint ?? EMBEDDED_SUPERNET_DIR;
  const opts = parseStrategyOptions('differentiable', cfg.strategy.options) as DifferentiableOptions;
  const hw = cfg.hardware;
  const src: CostSources = {
    model,
    ...(hw.mode === 'preset' ? { hw: hw.preset } : {}),
    ...(hw.mode === 'joint' ? { pool: sampleAccelPool(rng.fork('relaxed-accel-pool'), opts.hwPool, areaBudgetOf(cfg)) } : {}),
  };
  const metrics = new Set<string>(Object.keys(opts.costs));
  for (const c of constraints) if ((RELAXED_METRICS as readonly string[]).includes(c.metric)) metrics.add(c.metric);
  const { net, space, state } = loadSupernet(checkpoint);
  try {
    const tables: CostTable[] = [...metrics].map((m) => mbconvMetricTable(space, m, src));
    const data = loadDataset(state.dataset);
    const problem = mbconvRelaxedProblem({
      space, supernet: net, data: { train: data.train, norm: state.norm }, tables, quantize: opts.quantize,
      ...(src.pool ? { pool: src.pool } : {}), ...(opts.fineTune ? { fineTune: { learningRate: opts.fineTune } } : {}),
    });
    return { problem, dispose: () => { problem.dispose(); net.dispose(); } };
  } catch (e) {
    net.dispose();
    throw e;
  }
}
