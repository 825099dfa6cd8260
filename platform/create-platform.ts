/**
 * The one wiring point: from an experiment config, build everything a search needs exactly once —
 * the search space (network, or network × accelerator), the estimators its objectives and
 * constraints need, the accuracy source, the relaxed problem (differentiable strategy), the
 * strategy with its own stream of the experiment's Rng — and hand them to `runExperiment` through
 * `Platform.search`. Building is also validation: a config that cannot be built throws a typed
 * error naming the field, and nothing here writes anywhere (stored predictors are read through a
 * read-only port), so a bad experiment leaves an existing database untouched.
 */
import { ConfigError } from '../core/errors.ts';
import type { ProgressFn } from '../core/progress.ts';
import { Rng } from '../core/rng.ts';
import type { Arch, HwConfig, JsonObject, Metrics, Objective } from '../core/types.ts';
import type { Direction } from '../core/types.ts';
import type { NetworkSpace, SearchSpace } from '../core/space/space.ts';
import { productSpace } from '../core/space/joint.ts';
import { createSpace } from '../search-space/registry.ts';
import { CostModel, accelArch, createAccelSpace, presetNames, type AccelConfig } from '../hardware/index.ts';
import { COUNTER_OBJECTIVES, counterEstimator } from '../estimators/counter-estimator.ts';
import { ACCELERATOR_OBJECTIVES, acceleratorEstimator } from '../estimators/accelerator.ts';
import { parseConstraint, type Constraint } from '../strategies/constraints.ts';
import type { ObjectiveSpec } from '../strategies/objectives.ts';
import { createStrategy, parseStrategyOptions } from '../strategies/registry.ts';
import { tensorPolicies } from '../runtime/gru-policy.ts';
import type { RelaxedProblem } from '../strategies/relaxed-problem.ts';
import type { Candidate, Strategy } from '../strategies/strategy.ts';
import { createAccuracySource } from './accuracy/registry.ts';
import type { AccuracySource, PredictorReader } from './accuracy/source.ts';
import type { ExperimentConfig } from './config.ts';
import { metricProvenance } from './provenance.ts';
import { createRelaxedSource } from './relaxed-source.ts';
import { areaBudgetOf, resolveConstraint } from './area-limits.ts';
import { AcceleratorTables } from './accel-tables.ts';
import { createMbconvSurrogatePort } from './surrogate-port.ts';
import type { SurrogatePort } from '../strategies/surrogate/port.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { toGenome, type MbconvArch } from '../search-space/mbconv-arch.ts';
import { defaultSplit, type SearchPlan } from './run-experiment.ts';

export { metricProvenance };

export interface PlatformDeps {
  /** Stored accuracy predictors (`accuracy.source: predictor`), read while building; never written. */
  readonly predictors: PredictorReader;
  /** Told when a slow phase of building (or of the accuracy source later) starts. */
  readonly progress?: ProgressFn;
  /**
   * Start the strategy's first preparation (`Strategy.warm`: the surrogate's initial accelerator
   * pool) while the accuracy source is verified: for a new search, whose first prepare needs it.
   */
  readonly warm?: boolean;
}

export interface Platform {
  readonly config: ExperimentConfig;
  readonly space: SearchSpace<JsonObject>;
  readonly objectives: readonly Objective[];
  readonly constraints: readonly Constraint[];
  /** Where each metric comes from (stored with the experiment and in export bundles). */
  readonly provenance: Readonly<Record<string, string>>;
  /** For `strategy: differentiable`: the relaxed supernet and cost tables the strategy was given. */
  readonly relaxed?: RelaxedProblem<JsonObject>;
  /** For `strategy: surrogate`: the genes, exact-cost tables and predictor the strategy was given. */
  readonly surrogate?: SurrogatePort<JsonObject>;
  /** Strategy, objectives, constraints, evaluation, budget and batch: what `runExperiment` drives. */
  readonly search: SearchPlan<JsonObject>;
  evaluate(x: JsonObject): Promise<Metrics>;
  /**
   * A whole step at once, present when accuracy can be scored in parallel (the supernet on several
   * cores); gives exactly `evaluate`'s metrics.
   */
  evaluateBatch?(xs: readonly JsonObject[]): Promise<Metrics[]>;
  /** Releases the accuracy source, the relaxed problem and the strategy (idempotent). */
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

export function objectiveSpecs(objectives: readonly Objective[]): ObjectiveSpec[] {
  return objectives.map((o) => ({ name: o.name, direction: o.direction }));
}

/** Binomial standard error, in points, of an accuracy of `pct` % measured on `n` images. */
export function binomialSe(pct: number, n: number): number {
  const p = pct / 100;
  return 100 * Math.sqrt(Math.max(0, p * (1 - p)) / n);
}

/** The surrogate strategy's port: mbconv genes, exact cost from compiled tables, the GP. */
function surrogatePort(cfg: ExperimentConfig, net: NetworkSpace<Arch>, accel: SearchSpace<JsonObject> | null, preset: string | null, needed: ReadonlySet<string>, hasHardware: boolean) {
  if (cfg.space !== 'mbconv') throw new ConfigError('experiment.strategy.name', 'surrogate', `supports space mbconv (its exact costs are compiled per mbconv layer), not ${cfg.space}`);
  const space = net as unknown as MbconvSpace;
  const tables = new AcceleratorTables(space);
  return { tables, port: createMbconvSurrogatePort({ space, accel: hasHardware ? accel : null, preset: hasHardware ? preset : null, needed, tables }) };
}

export async function createPlatform(cfg: ExperimentConfig, deps: PlatformDeps): Promise<Platform> {
  const rng = new Rng(cfg.seed);
  const strategyOptions = parseStrategyOptions(cfg.strategy.name, cfg.strategy.options);
  const net = createSpace(cfg.space, cfg.spaceConfig);
  const hwMode = cfg.hardware.mode;
  const accel = hwMode === 'joint' ? createAccelSpace({ areaBudgetMm2: areaBudgetOf(cfg) }) : null;
  const space: SearchSpace<JsonObject> = accel ? productSpace(net, accel) : net;

  // Limits of the form area(PRESET) are checked before the (slow) accuracy source is built.
  cfg.constraints.forEach((t, i) => resolveConstraint(t, `experiment.constraints[${i}]`));
  const accuracy: AccuracySource | null = cfg.accuracy
    ? await createAccuracySource(cfg.accuracy, { space: net, rng, predictors: deps.predictors, ...(deps.progress ? { progress: deps.progress } : {}) })
    : null;
  // the checkpoint verification may still run (on a scoring worker): awaited below, once the
  // strategy is built and warming; a failure before then must not be an unhandled rejection
  accuracy?.ready?.catch(() => undefined);
  const owned: { dispose(): void }[] = accuracy ? [accuracy] : [];
  const release = () => {
    for (const o of owned.splice(0).reverse()) o.dispose();
  };
  try {
    const model = new CostModel();
    const presetName = cfg.hardware.mode === 'preset' ? cfg.hardware.preset : null;
    if (presetName !== null && !presetNames().includes(presetName)) {
      throw new ConfigError('experiment.hardware.preset', presetName, `unknown preset; known: ${presetNames().join(', ')}`);
    }
    const counters = counterEstimator(net);
    const hardware = hwMode === 'none' ? null : acceleratorEstimator(net, model, (hw) => (presetName ?? accelArch(hw as AccelConfig)));

    const catalogue = new Map<string, Objective>();
    for (const o of COUNTER_OBJECTIVES) catalogue.set(o.name, o);
    if (hardware) for (const o of ACCELERATOR_OBJECTIVES) catalogue.set(o.name, o);
    if (accuracy) catalogue.set(accuracy.objective.name, accuracy.objective);
    const objectives = cfg.objectives.map((t, i) => parseObjective(t, catalogue, i));
    const constraints = cfg.constraints.map((t, i) => {
      const c = parseConstraint(resolveConstraint(t, `experiment.constraints[${i}]`));
      if (!catalogue.has(c.metric)) throw new ConfigError(`experiment.constraints[${i}]`, t, `unknown metric; available: ${[...catalogue.keys()].join(', ')}`);
      return c;
    });
    const needed = new Set([...objectives.map((o) => o.name), ...constraints.map((c) => c.metric)]);
    const wants = (names: readonly Objective[]) => names.some((o) => needed.has(o.name));

    const parts = (x: JsonObject) => (accel ? defaultSplit(x) : { arch: x as Arch, hw: null as HwConfig | null });
    const surrogate = cfg.strategy.name === 'surrogate' ? surrogatePort(cfg, net as unknown as NetworkSpace<Arch>, accel, presetName, needed, hardware !== null) : null;
    if (surrogate) owned.push({ dispose: () => void surrogate.tables.close() });
    const costMetrics = async (arch: Arch, hw: HwConfig | null): Promise<Record<string, number>> => {
      const metrics: Record<string, number> = {};
      // Counters are arithmetic over the layer list (microseconds): always stored, so every trial
      // carries its params and MACs for the tables and downloads even when they are not objectives.
      Object.assign(metrics, (await counters.estimate(arch)).values);
      if (hardware && wants(ACCELERATOR_OBJECTIVES)) {
        // A compiled table holds the estimator's own figures bit for bit: no per-layer mapping needed.
        const table = surrogate?.tables.find(hw ? (hw as AccelConfig) : (presetName as string));
        const mbconv = net as unknown as MbconvSpace;
        Object.assign(metrics, table ? table.costOfGenome(toGenome(mbconv.config, mbconv.validate(arch) as MbconvArch)) : (await hardware.estimate(arch, hw)).values);
      }
      return metrics;
    };
    const withError = (metrics: Metrics): Metrics => {
      const name = accuracy?.objective.name;
      const p = name ? metrics[name] : undefined;
      return accuracy?.sampleSize && name && typeof p === 'number' ? { ...metrics, [`${name}_se`]: binomialSe(p, accuracy.sampleSize) } : metrics;
    };
    if (cfg.strategy.name === 'differentiable') deps.progress?.({ phase: 'costing every choice of the relaxed space (cost model)', done: 0, total: 0 });
    const relaxed = cfg.strategy.name === 'differentiable' ? createRelaxedSource(cfg, constraints, model, rng) : null;
    if (relaxed) owned.push(relaxed);

    const evaluate = async (x: JsonObject): Promise<Metrics> => {
      const { arch, hw } = parts(x);
      const metrics = await costMetrics(arch, hw);
      if (accuracy && needed.has(accuracy.objective.name)) metrics[accuracy.objective.name] = await accuracy.score(arch);
      return withError(metrics);
    };
    const scoreMany = accuracy?.scoreMany && needed.has(accuracy.objective.name) ? accuracy.scoreMany.bind(accuracy) : null;
    const evaluateBatch = scoreMany
      ? async (xs: readonly JsonObject[]): Promise<Metrics[]> => {
          const split = xs.map(parts);
          const scores = await scoreMany(split.map((p) => p.arch));
          return Promise.all(split.map(async ({ arch, hw }, i) => withError({ ...(await costMetrics(arch, hw)), [(accuracy as AccuracySource).objective.name]: scores[i] as number })));
        }
      : null;

    const specs = objectiveSpecs(objectives);
    const strategy: Strategy<JsonObject> = createStrategy(cfg.strategy.name, {
      space, objectives: specs, constraints, ...(relaxed ? { relaxed: relaxed.problem } : {}), ...(surrogate ? { surrogate: surrogate.port } : {}), rng: rng.fork(`strategy/${cfg.strategy.name}`), policies: tensorPolicies,
    }, strategyOptions);
    owned.push({ dispose: () => strategy.dispose() });
    if (deps.warm) strategy.warm?.();
    await accuracy?.ready;

    return {
      config: cfg,
      space,
      objectives,
      constraints,
      provenance: metricProvenance(cfg, accuracy),
      ...(relaxed ? { relaxed: relaxed.problem } : {}),
      ...(surrogate ? { surrogate: surrogate.port } : {}),
      search: {
        strategy, objectives: specs, constraints, budget: cfg.budget, batch: cfg.batch,
        evaluate: (c: Candidate<JsonObject>) => evaluate(c.x),
        ...(evaluateBatch ? { evaluateBatch: (cs: readonly Candidate<JsonObject>[]) => evaluateBatch(cs.map((c) => c.x)) } : {}),
      },
      evaluate,
      ...(evaluateBatch ? { evaluateBatch } : {}),
      dispose: release,
    };
  } catch (e) {
    release();
    throw e;
  }
}
