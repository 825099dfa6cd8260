/**
 * Generated experiments for the server tests and bench: mbconv-shaped archs, accelerator configs and
 * correlated metrics (bigger networks are more accurate but slower), drawn from a seeded Rng and
 * written through the public Storage API in atomic steps, like the runner does.
 */
import { Rng } from '../core/rng.ts';
import type { Arch, HwConfig, Metrics, Objective } from '../core/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { ExperimentRecord, StepTrial } from '../storage/types.ts';

export const OBJECTIVES: readonly Objective[] = [
  { name: 'accuracy', unit: '%', direction: 'max' },
  { name: 'latency_ms', unit: 'ms', direction: 'min' },
  { name: 'energy_mj', unit: 'mJ', direction: 'min' },
  { name: 'model_kb', unit: 'KiB', direction: 'min' },
];

export function randomArch(rng: Rng): Arch {
  return {
    resolution: rng.choice([20, 24, 28]),
    stages: [0, 1, 2, 3].map(() => {
      const depth = rng.intBetween(1, 3);
      return {
        depth,
        width: rng.choice([0.5, 0.75, 1.0]),
        blocks: Array.from({ length: depth }, () => ({
          kernel: rng.choice([3, 5, 7]), expand: rng.choice([2, 4, 6]), wbits: rng.choice([4, 6, 8]), abits: rng.choice([4, 8]),
        })),
      };
    }),
  };
}

export function randomHw(rng: Rng): HwConfig {
  return { peRows: rng.choice([8, 16, 32]), peCols: rng.choice([8, 16, 32]), glbKb: rng.choice([64, 128, 256]), dataflow: rng.choice(['ws', 'os']) };
}

/** Metrics loosely tied to the arch's size so the fronts look like real trade-offs. */
export function metricsOf(arch: Arch, hw: HwConfig, rng: Rng, withLayers: boolean): Metrics {
  const stages = arch.stages as readonly { depth: number; width: number; blocks: readonly { kernel: number; expand: number; wbits: number }[] }[];
  let size = 0;
  for (const s of stages) for (const b of s.blocks) size += s.width * b.expand * b.kernel * b.kernel * (b.wbits / 8);
  const res = (arch.resolution as number) / 28;
  const pes = (hw.peRows as number) * (hw.peCols as number);
  const accuracy = Math.min(99, 70 + 25 * (1 - Math.exp(-(size * res) / 400)) + rng.normal(0, 0.8));
  const latency = (size * res * res * 40) / pes + rng.uniform(0.05, 0.3);
  const energy = size * res * 0.002 * (1 + pes / 2048) + rng.uniform(0, 0.01);
  const m: Record<string, number> = { accuracy, latency_ms: latency, energy_mj: energy, model_kb: size * 1.5 };
  if (withLayers) {
    m['layers.stem.latency_ms'] = latency * 0.1;
    m['layers.stem.energy_mj'] = energy * 0.1;
    m['layers.head.latency_ms'] = latency * 0.9;
    m['layers.head.energy_mj'] = energy * 0.9;
  }
  return m;
}

export interface FillOptions {
  readonly name: string;
  readonly trials: number;
  readonly seed?: number;
  /** Share of trials that fail (no metrics); default 0.03. */
  readonly failRate?: number;
  /** Trials left running at the end; default 2. */
  readonly running?: number;
  readonly budget?: number;
}

/** Creates an experiment with `trials` completed trials (plus some running) and events for each step. */
export async function fillExperiment(storage: Storage, o: FillOptions): Promise<ExperimentRecord> {
  const rng = new Rng(o.seed ?? 1);
  const exp = await storage.createExperiment({
    name: o.name, config: { budget: o.budget ?? o.trials, strategy: { name: 'nsga2' } }, seed: o.seed ?? 1, space: 'mbconv', objectives: OBJECTIVES,
  });
  await storage.setExperimentStatus(exp.id, 'running');
  const STEP = 1000;
  for (let done = 0; done < o.trials; done += STEP) {
    const batch: StepTrial[] = [];
    for (let i = done; i < Math.min(o.trials, done + STEP); i++) {
      const arch = randomArch(rng);
      const hw = randomHw(rng);
      if (rng.bool(o.failRate ?? 0.03)) {
        batch.push({ experimentId: exp.id, arch, hw, outcome: { state: 'failed', error: 'evaluation diverged', timings: { evaluateMs: 1 } } });
      } else {
        const metrics = metricsOf(arch, hw, rng, i < 20);
        batch.push({ experimentId: exp.id, arch, hw, key: `k${i}`, outcome: { state: 'finished', metrics, feasible: (metrics.latency_ms as number) < 40, timings: { evaluateMs: rng.uniform(1, 5) } } });
      }
    }
    await storage.commitStep({ experimentId: exp.id, trials: batch, snapshot: { done: done + batch.length }, events: [{ experimentId: exp.id, type: 'progress', payload: { done: done + batch.length, total: o.trials } }] });
  }
  for (let i = 0; i < (o.running ?? 2); i++) await storage.startTrial({ experimentId: exp.id, arch: randomArch(rng), hw: randomHw(rng) });
  return exp;
}
