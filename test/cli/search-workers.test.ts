/**
 * Supernet-scored searches use both cores: a step's subnets are scored by a pool of worker threads.
 * The pool changes speed only — the stored trials must be identical to the single-thread run's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials } from '../../platform/front.ts';
import { runCli } from './run.ts';

async function search(dir: string, workers: number): Promise<{ key: string | null; metrics: unknown }[]> {
  const file = join(dir, `exp-${workers}.yaml`);
  writeFileSync(file, [
    `name: workers-${workers}`, 'seed: 5', 'space: mbconv',
    `accuracy: { source: supernet, valLimit: 60, calibImages: 16, workers: ${workers} }`,
    'hardware: { mode: none }', 'strategy: { name: random }', 'objectives: [accuracy, macs_m]', 'budget: 6', 'batch: 3',
  ].join('\n'));
  const db = join(dir, `w${workers}.db`);
  const r = await runCli('--backend', 'wasm', 'search', '--config', file, '--db', db);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const exp = (await s.listExperiments())[0];
    if (!exp) throw new Error('no experiment stored');
    return (await allTrials(s, exp.id)).map((t) => ({ key: t.key, metrics: t.metrics }));
  } finally {
    await s.close();
  }
}

describe('nas search with supernet accuracy on worker threads', () => {
  it('stores the same trials with 2 workers as with 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-search-workers-'));
    const one = await search(dir, 1);
    const two = await search(dir, 2);
    expect(one).toHaveLength(6);
    for (const t of one) expect((t.metrics as { accuracy: number }).accuracy).toBeGreaterThan(30);
    expect(two).toEqual(one);
  }, 300_000);
});
