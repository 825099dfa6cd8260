/**
 * The README's main job: `nas search` with no experiment file runs the default co-search — accuracy
 * from the shipped supernet checkpoint (verified first), the accelerator searched jointly — and
 * prints the Pareto front with a pointer to the UI. Here with a budget of 4 instead of the default.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials } from '../../platform/front.ts';
import { PROVENANCE_EVENT } from '../../platform/export-trial.ts';
import { runCli } from './run.ts';

describe('nas search (default experiment)', () => {
  it('co-searches network and accelerator with verified supernet accuracy and points to the UI', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'nas-main-job-')), 'nas.db');
    const r = await runCli('--backend', 'wasm', 'search', '--budget', '4', '--db', db);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/↑accuracy/);
    expect(r.stdout).toMatch(`browse it: nas ui --db ${db}`);
    const s = await SqliteStorage.open(db, { readonly: true });
    try {
      const exp = (await s.listExperiments())[0];
      if (!exp) throw new Error('no experiment stored');
      expect(exp.objectives.map((o) => o.name)).toEqual(['accuracy', 'energy_uj', 'hw_latency_ms']);
      const trials = await allTrials(s, exp.id);
      expect(trials).toHaveLength(4);
      for (const t of trials) {
        expect(t.state).toBe('finished');
        // a trained supernet: far above the 10 % of chance on 10 classes
        expect(t.metrics?.accuracy).toBeGreaterThan(40);
        expect(t.metrics?.accuracy).toBeLessThanOrEqual(100);
        expect(t.hw?.['dataflow']).toMatch(/^(ws|os|rs)$/);
      }
      const events = await s.eventsSince(0, { experimentId: exp.id });
      const provenance = events.find((e) => e.type === PROVENANCE_EVENT)?.payload as Record<string, string>;
      expect(provenance.accuracy).toMatch(/supernet .*fashion-mnist-supernet.*recorded largest-subnet val accuracy .* verified/);
    } finally {
      await s.close();
    }
  }, 300_000);
});
