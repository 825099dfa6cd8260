/**
 * A cheap co-search for the cluster tests: a reduced mbconv space × searched accelerator with cost
 * objectives only (no supernet), so a 24-trial search takes seconds and every trial is deterministic.
 */
import type { Json } from '../../core/types.ts';
import { parseExperiment, type ExperimentConfig } from '../../platform/config.ts';
import { createPlatform } from '../../platform/create-platform.ts';
import { runExperiment, type EvaluateBatch } from '../../platform/run-experiment.ts';
import type { Storage } from '../../storage/storage.ts';

export const CHEAP = {
  seed: 5, space: 'mbconv',
  spaceConfig: { resolutions: [12, 16], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 },
  hardware: { mode: 'joint', areaBudgetMm2: 4 }, strategy: { name: 'nsga2', options: {} },
  objectives: ['macs_m', 'energy_uj', 'hw_latency_ms'], constraints: ['area_mm2<=4'], budget: 24, batch: 6,
};

export function cheapConfig(over: Record<string, unknown> = {}): ExperimentConfig {
  return parseExperiment({ ...CHEAP, ...over });
}

/** Creates the experiment as `nas search` does (config stored, objectives from the platform). */
export async function createCheap(storage: Storage, name: string, cfg = cheapConfig()): Promise<number> {
  const platform = await createPlatform(cfg, { predictors: storage });
  platform.dispose();
  return (await storage.createExperiment({ name, config: { ...cfg, name } as unknown as Json, seed: cfg.seed, space: cfg.space, objectives: platform.objectives })).id;
}

/** Runs (or resumes) it like `nas search` (same platform, same runExperiment), with `batch` deciding where steps are evaluated. */
export async function runCheap(storage: Storage, id: number, batch?: (local: { evaluate: (x: never) => Promise<never> }) => EvaluateBatch<never>, signal?: AbortSignal) {
  const exp = await storage.getExperiment(id);
  const cfg = parseExperiment(exp.config);
  const platform = await createPlatform(cfg, { predictors: storage });
  try {
    return await runExperiment({
      sink: storage, experimentId: id, ...platform.search, ...(signal ? { signal } : {}),
      ...(batch ? { evaluateBatch: batch(platform as never) as never } : {}),
    });
  } finally {
    platform.dispose();
  }
}

/** What "identical trials" compares: everything but ids, timestamps and timings. */
export async function trialsOf(storage: Storage, id: number): Promise<string[]> {
  const page = await storage.listTrials({ experimentId: id, sort: 'number', order: 'asc', limit: 10_000 });
  return page.items.map((t) => JSON.stringify([t.number, t.key, t.state, t.arch, t.hw, t.metrics, t.feasible, t.error]));
}
