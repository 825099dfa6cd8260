/**
 * `runExperiment`: the search loop of one experiment, and the only code that moves its status.
 * ask → evaluate → constraints → tell → commitStep (the step's trials + snapshot, atomically, in one
 * call). Because the snapshot is taken after `tell` and stored with the step's trials, a crash
 * anywhere leaves storage at a step boundary plus, at worst, one step's trials started but never
 * completed. Resuming restores the snapshot and re-asks: the strategy proposes the same candidates
 * again, which re-use those orphaned trials in order, so the final trial list equals an
 * uninterrupted run's.
 *
 * Status: 'running' when the run starts (`beginRun`: this process holds the experiment, and the
 * trials an earlier run left running or interrupted are taken over), then through `endRun`
 * 'finished' when the budget is reached, 'stopped' when the signal aborts (Ctrl-C) or another
 * process marks the experiment stopped (`nas stop`, read after every committed step), 'failed' when
 * the run throws; every end stores the step's in-flight trials as 'interrupted'. A killed process
 * ends nothing: readers see its experiment and trials as interrupted once it is gone
 * (storage/runs.ts). The strategy is disposed when the run ends.
 *
 * Storage traffic is per step, not per trial, through the TrialSink port: the step's trials are
 * first inserted as running in one `startTrials` call, so the UI shows what is being evaluated, and
 * `commitStep` completes them. This holds for `evaluateBatch` too: a batch may take seconds (a
 * supernet scoring the whole step on a worker pool), and its trials must show as running meanwhile.
 */
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject, Metrics } from '../core/types.ts';
import type { TrialSink } from '../storage/storage.ts';
import type { StepTrial, TrialOutcome, TrialRecord } from '../storage/types.ts';
import type { Constraint } from '../strategies/constraints.ts';
import { evaluateCandidate } from '../strategies/evaluation.ts';
import type { ObjectiveSpec } from '../strategies/objectives.ts';
import type { Candidate, EvalResult, Strategy } from '../strategies/strategy.ts';

export type Evaluate<T extends JsonObject> = (candidate: Candidate<T>) => Promise<Metrics>;
/** Where a step stands in its experiment: `step` = trials completed before it (stable across resume). */
export interface StepContext {
  readonly experimentId: number;
  readonly step: number;
}

/**
 * Evaluates a whole step at once (e.g. one batched predictor call, or jobs for remote workers);
 * entry i is candidates[i]'s metrics, or the Error its evaluation threw (that trial fails with it).
 */
export type EvaluateBatch<T extends JsonObject> = (candidates: readonly Candidate<T>[], context: StepContext) => Promise<readonly (Metrics | Error)[]>;

/** What a search is, apart from where it is stored: `Platform.search` builds one from an experiment. */
export interface SearchPlan<T extends JsonObject> {
  /** A freshly created strategy; restored when the experiment has a snapshot, disposed when the run ends. */
  readonly strategy: Strategy<T>;
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints?: readonly Constraint[];
  readonly evaluate: Evaluate<T>;
  /**
   * Optional: one call per step instead of one per candidate, so a predictor runs one batched
   * forward pass or a supernet scores the step on a worker pool. If it throws (or returns the wrong
   * count) the step falls back to `evaluate` per candidate, so a failure is still recorded against
   * its own trial. Must give the same metrics as `evaluate` (same trials either way); a trial's
   * evaluateMs is then its share of the batch.
   */
  readonly evaluateBatch?: EvaluateBatch<T>;
  /** Total completed (finished + failed) trials to reach. */
  readonly budget: number;
  /** Candidates per ask/tell step (default 1). */
  readonly batch?: number;
}

export interface RunOptions<T extends JsonObject> extends SearchPlan<T> {
  /** Where trials, steps, snapshots and the status go (a Storage is one). */
  readonly sink: TrialSink;
  readonly experimentId: number;
  /** Stops after the current evaluation (Ctrl-C); the run ends 'stopped' and stays resumable. */
  readonly signal?: AbortSignal;
  /** How a candidate is stored: default `{arch: x.arch, hw: x.hw}` for joint values, else `{arch: x}`. */
  readonly split?: (x: T) => { arch: JsonObject; hw: JsonObject | null };
  /** Called after each committed step (progress display). */
  readonly onStep?: (progress: RunProgress) => void;
  /** Called when a step's candidates are about to be evaluated (progress display). */
  readonly onStepStart?: (step: { readonly completed: number; readonly budget: number; readonly evaluating: number }) => void;
  /**
   * Called once when the search loop starts, before the strategy's first `prepare` (which may take
   * a while: a surrogate screens accelerators and compiles their cost tables) — progress display.
   */
  readonly onLoopStart?: (at: { readonly completed: number; readonly budget: number }) => void;
}

export interface RunProgress {
  readonly completed: number;
  readonly budget: number;
  readonly trials: readonly TrialRecord[];
}

export interface RunSummary {
  readonly status: 'finished' | 'stopped';
  readonly completed: number;
  /** Whether the experiment already had trials or a snapshot (a resume rather than a start). */
  readonly resumed: boolean;
}

interface RunnerSnapshot {
  readonly version: 1;
  readonly completed: number;
  readonly strategy: Json;
}

export function defaultSplit(x: JsonObject): { arch: JsonObject; hw: JsonObject | null } {
  const a = x['arch'];
  const h = x['hw'];
  if (Object.keys(x).length === 2 && a && typeof a === 'object' && !Array.isArray(a) && h && typeof h === 'object' && !Array.isArray(h)) {
    return { arch: a as JsonObject, hw: h as JsonObject };
  }
  return { arch: x, hw: null };
}

/** The step's metrics from one batch call, or null to evaluate candidate by candidate. */
async function evaluateStep<T extends JsonObject>(f: EvaluateBatch<T>, candidates: readonly Candidate<T>[], context: StepContext): Promise<{ metrics: readonly (Metrics | Error)[]; msEach: number } | null> {
  if (candidates.length === 0) return null;
  const t0 = performance.now();
  try {
    const metrics = await f(candidates, context);
    return metrics.length === candidates.length ? { metrics, msEach: (performance.now() - t0) / candidates.length } : null;
  } catch {
    return null;
  }
}

function settled(m: Metrics | Error): Metrics {
  if (m instanceof Error) throw m;
  return m;
}

/**
 * Runs (or resumes) an experiment until `budget` trials are completed, `signal` aborts or the
 * experiment is marked stopped; disposes the strategy whatever happens.
 */
export async function runExperiment<T extends JsonObject>(opts: RunOptions<T>): Promise<RunSummary> {
  const run = { begun: false };
  try {
    return await loop(opts, run);
  } catch (e) {
    // ended by an error: the experiment is 'failed' (resumable) and no trial of it stays running;
    // an error of this bookkeeping must not hide the one that ended the run
    if (run.begun) await opts.sink.endRun(opts.experimentId, 'failed').catch(() => undefined);
    throw e;
  } finally {
    opts.strategy.dispose();
  }
}

async function loop<T extends JsonObject>(opts: RunOptions<T>, run: { begun: boolean }): Promise<RunSummary> {
  const { sink, experimentId, strategy, objectives, evaluate, signal } = opts;
  const constraints = opts.constraints ?? [];
  const batch = opts.batch ?? 1;
  const split = opts.split ?? defaultSplit;
  if (!Number.isInteger(opts.budget) || opts.budget < 0) throw new ConfigError('budget', opts.budget, 'must be a non-negative integer');
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError('batch', batch, 'must be a positive integer');

  const saved = await sink.loadSnapshot(experimentId);
  let completed = 0;
  if (saved) {
    const s = saved.state as unknown as RunnerSnapshot;
    strategy.restore(s.strategy);
    completed = s.completed;
  }
  // Trials started after the last committed step (left running by a kill, or interrupted by a
  // stop): the re-asked candidates take them over in order.
  const orphans = [...(await sink.beginRun(experimentId)).orphans];
  run.begun = true;
  const resumed = saved !== null || orphans.length > 0;

  const stopped = () => signal?.aborted === true;
  opts.onLoopStart?.({ completed, budget: opts.budget });
  while (completed < opts.budget) {
    if (stopped()) return stop();
    await strategy.prepare?.();
    if (stopped()) return stop();
    const candidates = strategy.ask(Math.min(batch, opts.budget - completed));
    // Kept with this step's commit: a crash before it re-asks and so re-makes them.
    const notes = strategy.takeNotes?.() ?? [];
    // the next step's preparation overlaps this step's evaluation (none after the last step)
    if (completed + candidates.length < opts.budget) strategy.warm?.();
    // Orphans re-used in order while they match what the strategy proposes again.
    const trialIds: (number | undefined)[] = [];
    for (const c of candidates) {
      if (orphans.length === 0) break;
      if (orphans[0]!.key !== c.key) {
        await abandon(orphans.splice(0));
        break;
      }
      trialIds.push(orphans.shift()!.id);
    }
    const fresh = candidates.slice(trialIds.length);
    if (fresh.length > 0) {
      const started = await sink.startTrials(fresh.map((c) => ({ experimentId, ...split(c.x), key: c.key, ...(c.predicted ? { predicted: c.predicted } : {}) })));
      for (const t of started) trialIds.push(t.id);
      // the UI redraws on events: without this one it would see the step only once it is committed
      await sink.appendEvent({ experimentId, type: 'step', payload: { started: started.length, completed, budget: opts.budget } });
    }
    if (stopped()) return stop();
    opts.onStepStart?.({ completed, budget: opts.budget, evaluating: candidates.length });
    const results: EvalResult<T>[] = [];
    const stepTrials: StepTrial[] = [];
    const batched = opts.evaluateBatch ? await evaluateStep(opts.evaluateBatch, candidates, { experimentId, step: completed }) : null;
    for (const [i, c] of candidates.entries()) {
      if (stopped()) return stop();
      const t0 = performance.now();
      const r = batched
        ? await evaluateCandidate(c, () => settled(batched.metrics[i]!), objectives, constraints)
        : await evaluateCandidate(c, evaluate, objectives, constraints);
      const timings = { evaluateMs: batched ? batched.msEach : performance.now() - t0 };
      const outcome: TrialOutcome = r.ok ? { state: 'finished', metrics: r.metrics, feasible: r.violation === 0, timings } : { state: 'failed', error: r.error, timings };
      results.push(r);
      stepTrials.push({ trialId: trialIds[i] as number, outcome });
    }
    if (stopped()) return stop();
    strategy.tell(results);
    completed += candidates.length;
    const snapshot: RunnerSnapshot = { version: 1, completed, strategy: strategy.snapshot() };
    const step = await sink.commitStep({
      experimentId,
      trials: stepTrials,
      snapshot: snapshot as unknown as Json,
      events: [...notes.map((n) => ({ experimentId, type: n.type, payload: n.payload })), { experimentId, type: 'progress', payload: { completed, budget: opts.budget } }],
    });
    opts.onStep?.({ completed, budget: opts.budget, trials: step.trials });
    // `nas stop` from another process marks the experiment; honour it at this step boundary.
    if (completed < opts.budget && (await sink.getExperiment(experimentId)).status === 'stopped') return stop();
  }
  await sink.endRun(experimentId, 'finished');
  return { status: 'finished', completed, resumed };

  /** Orphans this seed no longer proposes (the strategy or its inputs changed): kept, as failed. */
  async function abandon(trials: readonly TrialRecord[]): Promise<void> {
    for (const t of trials) await sink.failTrial(t.id, { error: 'abandoned: interrupted and not proposed again on resume' });
  }

  async function stop(): Promise<RunSummary> {
    await sink.endRun(experimentId, 'stopped');
    return { status: 'stopped', completed, resumed };
  }
}
