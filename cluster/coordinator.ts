/**
 * The coordinator's side of distributed evaluation: an `EvaluateBatch` for the runner. The runner
 * (and so `nas search`) still owns the strategy, asks for each step, and commits step + snapshot in
 * one transaction; this only decides *where* the step's candidates are evaluated.
 *
 * - No live worker that could take the step (same code version, checkpoint): the step is evaluated
 *   here, exactly as without a queue.
 * - Otherwise the step becomes jobs keyed `eval/<experiment>/<step>/<index>` (step = trials completed
 *   before it, so a resumed coordinator issues the same keys and reuses results finished before it
 *   died), the coordinator helps by claiming jobs of its own step, and returns the results **in index
 *   order**, whatever order they arrived in. A job that failed on workers (leases expired
 *   `max_attempts` times) is evaluated here.
 *
 * Evaluation is deterministic (same code version and checkpoint hash are required), and the strategy
 * only ever sees results in index order, so the trials are identical whether 0, 1 or N workers ran.
 */
import type { JsonObject, Metrics } from '../core/types.ts';
import { errorMessage } from '../strategies/evaluation.ts';
import type { Candidate } from '../strategies/strategy.ts';
import type { EvaluateBatch, StepContext } from '../platform/run-experiment.ts';
import type { Capabilities, JobRecord, PgQueue } from './queue.ts';
import { settle } from './settle.ts';
import { Waker } from './waker.ts';
import { liveWorkers, workerId } from './workers.ts';

export interface LocalEvaluator {
  evaluate(x: JsonObject): Promise<Metrics>;
  evaluateBatch?(xs: readonly JsonObject[]): Promise<Metrics[]>;
}

export interface CoordinatorOptions {
  readonly queue: PgQueue;
  readonly codeVersion: string;
  /** The supernet checkpoint's weights hash when accuracy comes from one; workers must have it. */
  readonly checkpointSha: string | null;
  readonly local: LocalEvaluator;
  /** Jobs the coordinator evaluates itself at a time while workers run (0: only when none is live). Default 1. */
  readonly localSlots?: number;
  readonly leaseMs?: number;
  /** Longest wait between looks at the step's jobs (a NOTIFY from a result wakes it sooner). Default 500 ms. */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  /** Where each step was evaluated (tests, progress). */
  readonly onStep?: (info: { step: number; remote: number; local: number; reused: number }) => void;
}

export interface Coordinator<T extends JsonObject> {
  readonly evaluateBatch: EvaluateBatch<T>;
  close(): Promise<void>;
}

/** Rebuilds the thrown error a worker recorded as "Name: message", so the trial fails with the same text. */
function remoteError(text: string): Error {
  const at = text.indexOf(': ');
  const e = new Error(at < 0 ? text : text.slice(at + 2));
  if (at >= 0) e.name = text.slice(0, at);
  return e;
}

export function createCoordinator<T extends JsonObject>(opts: CoordinatorOptions): Coordinator<T> {
  const { queue, local } = opts;
  const log = opts.log ?? (() => {});
  const leaseMs = opts.leaseMs ?? 30_000;
  const pollMs = opts.pollMs ?? 500;
  const localSlots = opts.localSlots ?? 1;
  const me = `coordinator:${workerId()}`;
  const caps: Capabilities = { kinds: ['eval'], codeVersion: opts.codeVersion, checkpoints: opts.checkpointSha ? [opts.checkpointSha] : [], device: null };
  const waker = new Waker(queue.db, queue.channel);

  async function evaluateHere(xs: readonly JsonObject[]): Promise<(Metrics | Error)[]> {
    if (xs.length > 1 && local.evaluateBatch) {
      const all = await local.evaluateBatch(xs).catch(() => null);
      if (all) return all;
    }
    const out: (Metrics | Error)[] = [];
    for (const x of xs) out.push(await local.evaluate(x).catch((e: unknown) => remoteError(errorMessage(e))));
    return out;
  }

  const live = () => liveWorkers(queue, { kind: 'eval', codeVersion: opts.codeVersion, checkpointSha: opts.checkpointSha });

  const evaluateBatch: EvaluateBatch<T> = async (candidates: readonly Candidate<T>[], ctx: StepContext) => {
    const { experimentId, step } = ctx;
    const prefix = `eval/${experimentId}/${step}/`;
    const xs = candidates.map((c) => c.x as JsonObject);
    const existing = await queue.group(prefix);
    if (existing.length === 0 && (await live()) === 0) {
      const out = await evaluateHere(xs);
      opts.onStep?.({ step, remote: 0, local: xs.length, reused: 0 });
      return out;
    }
    await queue.enqueue(candidates.map((c, index) => ({
      key: `${prefix}${index}`, kind: 'eval' as const, experimentId, step, index,
      payload: { x: c.x, key: c.key }, codeVersion: opts.codeVersion, checkpointSha: opts.checkpointSha,
    })));
    const jobs = await settle({
      queue, waker, me, caps, prefix, localSlots, leaseMs, pollMs, live,
      runLocal: (j) => local.evaluate((j.payload as { x: JsonObject }).x).then((metrics) => ({ result: { metrics } }), (e: unknown) => ({ error: errorMessage(e) })),
      provenance: { worker: me, codeVersion: opts.codeVersion, role: 'coordinator' },
    });
    const reused = existing.filter((j) => j.state === 'done').length;
    const remote = jobs.filter((j) => j.state === 'done' && (j.provenance as { role?: string } | null)?.role !== 'coordinator').length - reused;
    opts.onStep?.({ step, remote, local: candidates.length - remote - reused, reused });
    return collect(jobs.slice(0, candidates.length), candidates);
  };

  /** Results in index order; a job that failed on workers is evaluated here. */
  async function collect(jobs: readonly JobRecord[], candidates: readonly Candidate<T>[]): Promise<(Metrics | Error)[]> {
    const out: (Metrics | Error)[] = [];
    for (const [i, c] of candidates.entries()) {
      const j = jobs[i];
      if (!j || j.index !== i || (j.payload as { key?: string }).key !== c.key) throw new Error(`job eval/${c.key}: queue out of step with the strategy at index ${i}`);
      if (j.state === 'failed') {
        log(`job ${j.key} failed on workers (${j.error}); evaluating it here`);
        out.push((await evaluateHere([c.x as JsonObject]))[0]!);
      } else if (j.error !== null) out.push(remoteError(j.error));
      else out.push((j.result as { metrics: Metrics }).metrics);
    }
    return out;
  }

  return { evaluateBatch, close: () => waker.close() };
}
