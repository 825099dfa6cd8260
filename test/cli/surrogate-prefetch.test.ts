/**
 * The surrogate co-search's prefetch through the real CLI, supernet, accelerator cost tables and
 * SQLite store: a search that screens each pool refresh (and warms the initial pool while the
 * checkpoint is verified on a scoring worker) stores the same trials, predictions and round
 * records as one that does all of it in order (`prefetch: false`). The first search really
 * re-measures the checkpoint (fresh cache); the second reuses that passed verification and its
 * stored provenance says so.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials } from '../../platform/front.ts';
import { ROUND_NOTE } from '../../strategies/surrogate/surrogate.ts';
import { recordedProvenance } from '../../platform/export-trial.ts';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-surrogate-prefetch-'));
const saved = process.env.NAS_CACHE_DIR;
// a fresh table cache: the first search compiles its pool's tables, the second loads them (same figures)
process.env.NAS_CACHE_DIR = join(dir, 'cache');
afterAll(() => {
  if (saved === undefined) delete process.env.NAS_CACHE_DIR;
  else process.env.NAS_CACHE_DIR = saved;
});

const OPTIONS = 'initial: 6, population: 30, generations: 8, cvFolds: 3, hwPool: 2, hwCandidates: 4, hwChildren: 3, hwRefresh: 1';

async function search(prefetch: boolean) {
  const file = join(dir, `p${prefetch}.yaml`);
  writeFileSync(file, [
    `name: p${prefetch}`, 'seed: 7', 'space: mbconv', 'accuracy: { source: supernet, valLimit: 80, calibImages: 16 }',
    'hardware: { mode: joint, areaBudgetMm2: 16 }', `strategy: { name: surrogate, options: { ${OPTIONS}, prefetch: ${prefetch} } }`,
    'objectives: [accuracy, edp_uj_ms]', 'constraints: ["area_mm2 <= 12"]', 'budget: 14', 'batch: 4', '',
  ].join('\n'));
  const db = join(dir, `p${prefetch}.db`);
  const r = await runCli('--backend', 'wasm', 'search', '--config', file, '--db', db);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const trials = (await allTrials(s, 1)).map((t) => ({ arch: t.arch, hw: t.hw, state: t.state, metrics: t.metrics, predicted: t.predicted }));
    const rounds = (await s.eventsSince(0, { experimentId: 1 })).filter((e) => e.type === ROUND_NOTE).map((e) => ({ ...(e.payload as object), ms: null }));
    return { trials, rounds, accuracy: ((await recordedProvenance(s, 1)) ?? {}).accuracy };
  } finally {
    await s.close();
  }
}

describe('nas search (surrogate co-search) with and without prefetch', () => {
  it('stores the same trials, predictions and round records', async () => {
    const ahead = await search(true);
    const inOrder = await search(false);
    expect(ahead.trials).toHaveLength(14);
    expect(ahead.rounds.length).toBeGreaterThanOrEqual(2);
    // the pool was refreshed along the way: there was a decision to prefetch
    expect(ahead.rounds.some((r) => (r as unknown as { pool: { added: string[] } }).pool.added.length > 0)).toBe(true);
    expect(ahead.accuracy).toMatch(/verified \d+\.\d\d %\)/);
    expect(inOrder.accuracy).toMatch(/verified \d+\.\d\d % \(cached from \d{4}-\d\d-\d\dT[\d:.]+Z: same weights, dataset, backend and evaluation code\)/);
    expect({ ...ahead, accuracy: null }).toEqual({ ...inOrder, accuracy: null });
  }, 600_000);
});
