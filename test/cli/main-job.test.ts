/**
 * The README's main job: `nas search` with no experiment file runs the default co-search — the
 * surrogate strategy, accuracy from the shipped supernet checkpoint (verified first) on 5,000
 * validation images with its standard error, energy-delay product of the jointly searched
 * accelerator, no larger than the Eyeriss preset — and prints the Pareto front with a pointer to
 * the UI. Here `--quick` with a budget of 4: the first four networks of the initial design.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials } from '../../platform/front.ts';
import { PROVENANCE_EVENT } from '../../platform/export-trial.ts';
import { archAreaMm2, preset } from '../../hardware/index.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { runCli } from './run.ts';

describe('nas search (default experiment)', () => {
  it('co-searches network and accelerator with verified supernet accuracy and points to the UI', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'nas-main-job-')), 'nas.db');
    const r = await runCli('--backend', 'wasm', 'search', '--quick', '--budget', '4', '--db', db);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/↑accuracy/);
    expect(r.stdout).toMatch(`browse it: nas ui --db ${db}`);
    const s = await SqliteStorage.open(db, { readonly: true });
    try {
      const exp = (await s.listExperiments())[0];
      if (!exp) throw new Error('no experiment stored');
      expect(exp.objectives.map((o) => o.name)).toEqual(['accuracy', 'edp_uj_ms']);
      expect(exp.config).toMatchObject({ strategy: { name: 'surrogate' }, constraints: ['area_mm2<=area(eyeriss)'], accuracy: { source: 'supernet', valLimit: 5000 } });
      const trials = await allTrials(s, exp.id);
      expect(trials).toHaveLength(4);
      const space = new MbconvSpace();
      // the initial design verifies the extremes first
      expect(trials[0]?.key?.startsWith(space.key(space.largest()))).toBe(true);
      expect(trials[1]?.key?.startsWith(space.key(space.smallest()))).toBe(true);
      for (const t of trials) {
        expect(t.state).toBe('finished');
        // a trained supernet: far above the 10 % of chance on 10 classes
        expect(t.metrics?.accuracy).toBeGreaterThan(40);
        expect(t.metrics?.accuracy).toBeLessThanOrEqual(100);
        expect(t.metrics?.accuracy_se).toBeGreaterThan(0.2);
        expect(t.metrics?.accuracy_se).toBeLessThan(1);
        expect(t.metrics?.area_mm2).toBeLessThanOrEqual(archAreaMm2(preset('eyeriss')));
        expect(t.hw?.['dataflow']).toMatch(/^(ws|os|rs)$/);
        expect(t.predicted).toEqual({ round: 0, rule: 'initial-design' });
      }
      expect(r.stdout).toMatch(/\d+\.\d\d ± 0\.\d\d/);
      const events = await s.eventsSince(0, { experimentId: exp.id });
      const provenance = events.find((e) => e.type === PROVENANCE_EVENT)?.payload as Record<string, string>;
      expect(provenance.accuracy).toMatch(/supernet .*fashion-mnist-supernet.*recorded largest-subnet val accuracy .* verified.*accuracy on 5000 validation images/);
    } finally {
      await s.close();
    }
  }, 900_000);
});
