/**
 * A cheap co-search for the cluster tests: a reduced mbconv space × searched accelerator with cost
 * objectives only (no supernet), so a 24-trial search takes seconds and every trial is deterministic;
 * and the two ways of running a search the tests compare: locally on SQLite, and on PostgreSQL with
 * in-process workers taking its steps as jobs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createCoordinator } from '../../cluster/coordinator.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { runWorker } from '../../cluster/worker.ts';
import type { Json, Objective } from '../../core/types.ts';
import { parseExperiment, type ExperimentConfig } from '../../platform/config.ts';
import { createPlatform } from '../../platform/create-platform.ts';
import { runExperiment, type EvaluateBatch } from '../../platform/run-experiment.ts';
import { PgStorage } from '../../storage/pg.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Storage } from '../../storage/storage.ts';
import { ROUND_NOTE } from '../../strategies/surrogate/report.ts';
import { dropPgSchema, freshPgUrl } from '../../testkit/pg-test.ts';

export const CHEAP = {
  seed: 5, space: 'mbconv',
  spaceConfig: { resolutions: [12, 16], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 },
  hardware: { mode: 'joint', areaBudgetMm2: 4 }, strategy: { name: 'nsga2', options: {} },
  objectives: ['macs_m', 'energy_uj', 'hw_latency_ms'], constraints: ['area_mm2<=4'], budget: 24, batch: 6,
};

export function cheapConfig(over: Record<string, unknown> = {}): ExperimentConfig {
  return parseExperiment({ ...CHEAP, ...over });
}

/**
 * Creates the experiment as `nas search` does (config stored, objectives from the platform), or with
 * `objectives` as given (a supernet platform costs a checkpoint verification to build).
 */
export async function createCheap(storage: Storage, name: string, cfg = cheapConfig(), objectives?: readonly Objective[]): Promise<number> {
  let known = objectives;
  if (!known) {
    const platform = await createPlatform(cfg, { predictors: storage });
    platform.dispose();
    known = platform.objectives;
  }
  return (await storage.createExperiment({ name, config: { ...cfg, name } as unknown as Json, seed: cfg.seed, space: cfg.space, objectives: known })).id;
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

/** What "identical trials" compares: everything but ids, timestamps and timings (predictions included). */
export async function trialsOf(storage: Storage, id: number): Promise<string[]> {
  const page = await storage.listTrials({ experimentId: id, sort: 'number', order: 'asc', limit: 10_000 });
  return page.items.map((t) => JSON.stringify([t.number, t.key, t.state, t.arch, t.hw, t.metrics, t.predicted, t.feasible, t.error]));
}

/** The strategy's notes stored as events (a surrogate's round records), wall-clock timings blanked. */
export async function notesOf(storage: Storage, id: number, type: string): Promise<string[]> {
  const events = await storage.eventsSince(0, { experimentId: id, limit: 10_000 });
  return events.filter((e) => e.type === type).map((e) => JSON.stringify({ ...(e.payload as object), ms: null }));
}

export async function sqliteBaseline(cfg = cheapConfig(), objectives?: readonly Objective[]): Promise<{ trials: string[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'nas-det-'));
  const s = await SqliteStorage.open(join(dir, 'nas.db'));
  try {
    const id = await createCheap(s, 'det', cfg, objectives);
    expect((await runCheap(s, id)).status).toBe('finished');
    return { trials: await trialsOf(s, id), notes: await notesOf(s, id, ROUND_NOTE) };
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One search on PostgreSQL with `workers` in-process workers; returns its trials and where steps ran. */
export async function pgRun(workers: number, cfg = cheapConfig(), objectives?: readonly Objective[]) {
  const url = freshPgUrl(`det${workers}`);
  const storage = await PgStorage.open(url);
  const queue = await PgQueue.open(storage);
  const ctl = new AbortController();
  const stores = await Promise.all(Array.from({ length: workers }, () => PgStorage.open(url)));
  const done: string[] = [];
  const running = stores.map(async (ws) => runWorker({
    storage: ws, queue: await PgQueue.open(ws), kinds: ['eval'], concurrency: 1, codeVersion: codeVersion(), checkpoints: new Map(), device: null,
    pollMs: 50, signal: ctl.signal, onJob: (j, written) => written && done.push(j.key),
  }));
  // workers register before the search starts, so the coordinator sees them
  await new Promise((r) => setTimeout(r, workers > 0 ? 300 : 0));
  const steps: { remote: number; local: number }[] = [];
  try {
    const id = await createCheap(storage, 'det', cfg, objectives);
    const summary = await runCheap(storage, id, (local) => createCoordinator({
      queue, codeVersion: codeVersion(), checkpointSha: null, local: local as never, pollMs: 50, onStep: (s) => steps.push(s),
    }).evaluateBatch as never);
    expect(summary.status).toBe('finished');
    return { trials: await trialsOf(storage, id), notes: await notesOf(storage, id, ROUND_NOTE), steps, done, jobs: await queue.jobs({ experimentId: id }) };
  } finally {
    ctl.abort();
    await Promise.all(running);
    await Promise.all(stores.map((s) => s.close()));
    await storage.close();
    await dropPgSchema(url);
  }
}
