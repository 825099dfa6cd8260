/**
 * What a worker does with each kind of job. Everything a job needs comes from the database (the
 * experiment's stored config, LUT rows, predictors) plus the worker's own checkpoints, so a worker
 * needs only the database URL and, for supernet scoring, the checkpoint directory.
 *
 * - eval: one candidate of an experiment → its metrics, by the same `createPlatform(config)` the
 *   coordinator uses (supernet scoring + cost models). Several jobs of one experiment claimed
 *   together go through the platform's batch path (the supernet's worker pool), which gives the same
 *   metrics. An evaluation that throws is a result too ("Name: message"): the trial fails the same way
 *   it would locally.
 * - lut: time a share of a space's LUT units on this machine (pinned by the job's device label) and
 *   store the entries under this machine's provenance.
 * - map: map one layer onto an accelerator preset with the mapper → cycles, energy, utilization, mapping.
 */
import { errorMessage } from '../strategies/evaluation.ts';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject, LayerSpec } from '../core/types.ts';
import { buildLut } from '../estimators/lut/build.ts';
import { checkClock, DEFAULT_CLOCK } from '../estimators/lut/timing.ts';
import { provenanceLabel } from '../estimators/lut/lut-estimator.ts';
import { formatMapping } from '../hardware/model/mapping.ts';
import { mapLayer, type MapperObjective } from '../hardware/mapper/mapper.ts';
import { preset } from '../hardware/presets.ts';
import { fromLayer } from '../hardware/workload.ts';
import { parseExperiment } from '../platform/config.ts';
import { createPlatform, type Platform } from '../platform/create-platform.ts';
import { createSpace } from '../search-space/registry.ts';
import type { Storage } from '../storage/storage.ts';
import type { JobRecord } from './queue.ts';

export type JobOutcome = { readonly result: Json } | { readonly error: string };

/** A job this worker cannot run after all (e.g. its experiment's platform cannot be built here): handed back. */
export class CannotRun extends Error {}

export interface HandlerOptions {
  readonly storage: Storage;
  /** weightsSha256 → checkpoint directory on this machine. */
  readonly checkpoints: ReadonlyMap<string, string>;
}

export class JobHandlers {
  private readonly platforms = new Map<string, Promise<Platform>>();

  constructor(private readonly opts: HandlerOptions) {}

  /** The experiment's platform, built once per (experiment, checkpoint) from its stored config. */
  private platform(job: JobRecord): Promise<Platform> {
    const key = `${job.experimentId}/${job.checkpointSha ?? ''}`;
    let p = this.platforms.get(key);
    if (!p) {
      p = (async () => {
        const exp = await this.opts.storage.getExperiment(job.experimentId as number);
        const cfg = parseExperiment(exp.config);
        if (job.checkpointSha && cfg.accuracy) {
          const dir = this.opts.checkpoints.get(job.checkpointSha);
          if (!dir) throw new CannotRun(`no checkpoint with weights sha256 ${job.checkpointSha} on this worker`);
          return createPlatform({ ...cfg, accuracy: { ...cfg.accuracy, checkpoint: dir } }, { predictors: this.opts.storage });
        }
        return createPlatform(cfg, { predictors: this.opts.storage });
      })();
      p.catch(() => this.platforms.delete(key));
      this.platforms.set(key, p);
    }
    return p;
  }

  /** Runs jobs claimed together; outcome i is jobs[i]'s. Throws CannotRun to hand them all back. */
  async run(jobs: readonly JobRecord[]): Promise<JobOutcome[]> {
    const evals = jobs.filter((j) => j.kind === 'eval');
    const byExp = new Map<number, JobRecord[]>();
    for (const j of evals) byExp.set(j.experimentId as number, [...(byExp.get(j.experimentId as number) ?? []), j]);
    const out = new Map<number, JobOutcome>();
    for (const group of byExp.values()) {
      let platform: Platform;
      try {
        platform = await this.platform(group[0]!);
      } catch (e) {
        throw e instanceof CannotRun ? e : new CannotRun(`cannot set up experiment ${group[0]!.experimentId}: ${errorMessage(e)}`);
      }
      const xs = group.map((j) => (j.payload as { x: JsonObject }).x);
      const batched = group.length > 1 && platform.evaluateBatch ? await platform.evaluateBatch(xs).catch(() => null) : null;
      for (const [i, j] of group.entries()) {
        if (batched) out.set(j.id, { result: { metrics: batched[i]! } });
        else out.set(j.id, await platform.evaluate(xs[i]!).then((metrics) => ({ result: { metrics } }), (e: unknown) => ({ error: errorMessage(e) })));
      }
    }
    for (const j of jobs) {
      if (j.kind === 'lut') out.set(j.id, await this.lut(j));
      if (j.kind === 'map') out.set(j.id, mapJob(j.payload as unknown as MapPayload));
    }
    return jobs.map((j) => out.get(j.id)!);
  }

  private async lut(job: JobRecord): Promise<JobOutcome> {
    const p = job.payload as unknown as LutPayload;
    try {
      const space = createSpace(p.space, p.spaceConfig);
      const r = await buildLut(this.opts.storage, space, {
        keys: p.keys, batch: p.batch, repeats: p.repeats, warmup: p.warmup, seed: p.seed, clock: checkClock(p.clock ?? DEFAULT_CLOCK, 'job.clock'),
      });
      return { result: { measured: r.measured, alreadyStored: r.alreadyStored, provenance: provenanceLabel(r.provenance) } };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }

  dispose(): void {
    for (const p of this.platforms.values()) void p.then((x) => x.dispose(), () => undefined);
    this.platforms.clear();
  }
}

export interface LutPayload {
  readonly space: string;
  readonly spaceConfig?: Record<string, unknown>;
  readonly keys: readonly string[];
  readonly batch: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly seed: number;
  readonly clock?: string;
}

export interface MapPayload {
  readonly preset: string;
  readonly layer: LayerSpec;
  readonly objective?: MapperObjective;
  readonly seed?: number;
  readonly maxEvaluations?: number;
  readonly patience?: number;
}

/** One layer on one preset through the mapper; deterministic for a given seed. */
export function mapJob(p: MapPayload): JobOutcome {
  try {
    if (typeof p.preset !== 'string') throw new ConfigError('job.payload.preset', p.preset, 'must be a preset name');
    const arch = preset(p.preset);
    const problem = fromLayer(p.layer);
    const r = mapLayer(problem, arch, { objective: p.objective ?? 'edp', seed: p.seed ?? 1, ...(p.maxEvaluations ? { maxEvaluations: p.maxEvaluations } : {}), ...(p.patience ? { patience: p.patience } : {}) });
    const e = r.evaluation;
    return {
      result: {
        layer: p.layer.name, preset: p.preset, cycles: e.cycles, latencyMs: e.cycles / (arch.clockGHz * 1e6), energyPj: e.energyPj, utilization: e.utilization,
        mapping: formatMapping(problem, arch, r.mapping), evaluations: r.evaluations,
      } as unknown as Json,
    };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}
