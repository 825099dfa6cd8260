/**
 * The one wiring point (DESIGN.md §1 `createPlatform`): from an experiment config build the search
 * space (network, or network × accelerator), the objective catalogue and the evaluate function the
 * runner calls. Only the estimators an experiment's objectives and constraints need are run.
 */
import { ConfigError } from '../core/errors.ts';
import type { Arch, HwConfig, JsonObject, Metrics, Objective } from '../core/types.ts';
import type { Direction } from '../core/types.ts';
import type { SearchSpace } from '../core/space/space.ts';
import { createSpace } from '../search-space/registry.ts';
import { CostModel, accelArch, createAccelSpace, presetNames, type AccelConfig } from '../hardware/index.ts';
import { COUNTER_OBJECTIVES, counterEstimator } from '../estimators/counter-estimator.ts';
import { ACCELERATOR_OBJECTIVES, acceleratorEstimator } from '../estimators/accelerator.ts';
import type { Storage } from '../storage/storage.ts';
import { parseConstraint, type Constraint } from '../strategies/constraints.ts';
import type { ObjectiveSpec } from '../strategies/objectives.ts';
import { productSpace } from '../core/space/joint.ts';
import { defaultSplit } from './runner.ts';
import { createAccuracySource, type AccuracySource } from './accuracy-source.ts';
import { createRelaxedSource } from './relaxed-source.ts';
import type { RelaxedProblem } from '../strategies/relaxed-problem.ts';
import type { ExperimentConfig } from './config.ts';

export interface Platform {
  readonly space: SearchSpace<JsonObject>;
  readonly objectives: readonly Objective[];
  readonly constraints: readonly Constraint[];
  /** Where each metric comes from (stored with the experiment and in export bundles). */
  readonly provenance: Readonly<Record<string, string>>;
  /** For `strategy: differentiable`: pass as StrategyContext.relaxed. */
  readonly relaxed?: RelaxedProblem<JsonObject>;
  evaluate(x: JsonObject): Promise<Metrics>;
  /**
   * A whole step at once (runner `evaluateBatch`), present when accuracy can be scored in parallel
   * (the supernet on several cores); gives exactly `evaluate`'s metrics.
   */
  evaluateBatch?(xs: readonly JsonObject[]): Promise<Metrics[]>;
  dispose(): void;
}

/** `↑accuracy`, `max:accuracy`, `↓energy_uj`, `min:energy_uj` or a bare name (default direction). */
function parseObjective(text: string, catalogue: ReadonlyMap<string, Objective>, index: number): Objective {
  const m = /^(?:(↑|↓|max:|min:))?\s*([A-Za-z_][\w]*)$/.exec(text.trim());
  const found = m ? catalogue.get(m[2] as string) : undefined;
  if (!m || !found) {
    throw new ConfigError(`experiment.objectives[${index}]`, text, `unknown objective; available: ${[...catalogue.keys()].join(', ')}`);
  }
  const dir: Direction | undefined = m[1] === '↑' || m[1] === 'max:' ? 'max' : m[1] === '↓' || m[1] === 'min:' ? 'min' : undefined;
  return dir ? { ...found, direction: dir } : found;
}

export async function createPlatform(cfg: ExperimentConfig, storage: Storage): Promise<Platform> {
  const net = createSpace(cfg.space, cfg.spaceConfig);
  const hwMode = cfg.hardware.mode;
  const accel = hwMode === 'joint' ? createAccelSpace({ areaBudgetMm2: cfg.hardware.areaBudgetMm2 }) : null;
  const space: SearchSpace<JsonObject> = accel ? (productSpace(net, accel) as unknown as SearchSpace<JsonObject>) : (net as unknown as SearchSpace<JsonObject>);

  const accuracy: AccuracySource | null = cfg.accuracy ? await createAccuracySource(cfg.accuracy, net, storage, cfg.seed) : null;
  const counters = counterEstimator(net);
  const model = new CostModel();
  const presetName = cfg.hardware.mode === 'preset' ? cfg.hardware.preset : null;
  if (presetName !== null && !presetNames().includes(presetName)) {
    throw new ConfigError('experiment.hardware.preset', presetName, `unknown preset; known: ${presetNames().join(', ')}`);
  }
  const hardware = hwMode === 'none' ? null : acceleratorEstimator(net, model, (hw) => (presetName ?? accelArch(hw as AccelConfig)));

  const catalogue = new Map<string, Objective>();
  for (const o of COUNTER_OBJECTIVES) catalogue.set(o.name, o);
  if (hardware) for (const o of ACCELERATOR_OBJECTIVES) catalogue.set(o.name, o);
  if (accuracy) catalogue.set(accuracy.objective.name, accuracy.objective);
  const objectives = cfg.objectives.map((t, i) => parseObjective(t, catalogue, i));
  const constraints = cfg.constraints.map((t, i) => {
    const c = parseConstraint(t);
    if (!catalogue.has(c.metric)) throw new ConfigError(`experiment.constraints[${i}]`, t, `unknown metric; available: ${[...catalogue.keys()].join(', ')}`);
    return c;
  });
  const needed = new Set([...objectives.map((o) => o.name), ...constraints.map((c) => c.metric)]);
  const wants = (names: readonly Objective[]) => names.some((o) => needed.has(o.name));

  const provenance = metricProvenance(cfg, accuracy);
  const parts = (x: JsonObject) => (accel ? defaultSplit(x) : { arch: x as Arch, hw: null as HwConfig | null });
  const costMetrics = async (arch: Arch, hw: HwConfig | null): Promise<Record<string, number>> => {
    const metrics: Record<string, number> = {};
    if (wants(COUNTER_OBJECTIVES)) Object.assign(metrics, (await counters.estimate(arch)).values);
    if (hardware && wants(ACCELERATOR_OBJECTIVES)) Object.assign(metrics, (await hardware.estimate(arch, hw)).values);
    return metrics;
  };
  let relaxed: ReturnType<typeof createRelaxedSource> | null = null;
  try {
    relaxed = cfg.strategy.name === 'differentiable' ? createRelaxedSource(cfg, constraints, model) : null;
  } catch (e) {
    accuracy?.dispose();
    throw e;
  }

  return {
    space,
    objectives,
    constraints,
    provenance,
    ...(relaxed ? { relaxed: relaxed.problem } : {}),
    async evaluate(x) {
      const { arch, hw } = parts(x);
      const metrics = await costMetrics(arch, hw);
      if (accuracy && needed.has(accuracy.objective.name)) metrics[accuracy.objective.name] = await accuracy.score(arch);
      return metrics;
    },
    ...(accuracy?.scoreMany && needed.has(accuracy.objective.name)
      ? {
          async evaluateBatch(xs: readonly JsonObject[]) {
            const split = xs.map(parts);
            const scores = await (accuracy.scoreMany as NonNullable<AccuracySource['scoreMany']>)(split.map((p) => p.arch));
            return Promise.all(split.map(async ({ arch, hw }, i) => ({ ...(await costMetrics(arch, hw)), [accuracy.objective.name]: scores[i] as number })));
          },
        }
      : {}),
    dispose: () => {
      accuracy?.dispose();
      relaxed?.dispose();
    },
  };
}

export function objectiveSpecs(objectives: readonly Objective[]): ObjectiveSpec[] {
  return objectives.map((o) => ({ name: o.name, direction: o.direction }));
}

/** Where each metric of an experiment comes from, for experiments and export bundles. */
export function metricProvenance(cfg: ExperimentConfig, accuracy?: Pick<AccuracySource, 'objective' | 'provenance'> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of COUNTER_OBJECTIVES) out[o.name] = 'counters over layers(arch) (BN folded, int32 biases)';
  if (cfg.hardware.mode !== 'none') {
    const hw = cfg.hardware.mode === 'preset' ? `preset ${cfg.hardware.preset}` : 'searched accelerator';
    for (const o of ACCELERATOR_OBJECTIVES) out[o.name] = `hardware cost model (Timeloop-style access counts, EDP-mapped), ${hw}`;
  }
  if (accuracy) out[accuracy.objective.name] = accuracy.provenance;
  else if (cfg.accuracy) out[cfg.accuracy.source === 'naswot' ? 'naswot' : 'accuracy'] = `${cfg.accuracy.source}${cfg.accuracy.checkpoint ? ` ${cfg.accuracy.checkpoint}` : ''}`;
  return out;
}
