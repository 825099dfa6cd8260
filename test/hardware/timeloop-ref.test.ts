/**
 * Validation against Timeloop v0.4 + Accelergy reference outputs (read at run time from
 * ../shared/research/data/timeloop-ref-outputs). For every case, with the reference mapping and the
 * reference ERT: per level and data space, the per-instance scalar reads, fills and updates and the
 * utilized instances must be equal, total cycles equal, and total energy (incl. leakage) within 1e-5
 * relative for the tutorials and 0.1 % for the four reference architectures (observed ≤ 6.5e-7,
 * except simba_like at 0.083 %: its PEWeightRegs share 512-bit vector accesses among clusters of 64
 * instances, which Timeloop charges per used cluster and we per word).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../hardware/model/analysis.ts';
import { readTimeloopArch } from '../../hardware/timeloop/arch.ts';
import { readTimeloopMap } from '../../hardware/timeloop/map.ts';
import { readTimeloopProblem } from '../../hardware/timeloop/problem.ts';
import { timeloopCases } from '../../hardware/validate/timeloop-refs.ts';
import { parseStats, refConv, REF_ROOT as ROOT } from './timeloop-stats.ts';

describe.skipIf(!ROOT)('Timeloop reference outputs (needs ../shared/research/data)', () => {
  const all = ROOT ? timeloopCases(ROOT) : [];
  it('finds the 12 tutorial and 4 reference cases', () => {
    expect(all.length).toBe(16);
  });
  for (const c of all) {
    it(`${c.name}: accesses, cycles and energy match`, () => {
      const ta = readTimeloopArch(c.arch, join(c.stats, '..'));
      const p = c.prob ? readTimeloopProblem(c.prob) : refConv();
      const ev = analyze(p, ta.arch, readTimeloopMap(c.map, p, ta));
      const ref = parseStats(readFileSync(c.stats, 'utf8'));
      let compared = 0;
      ta.arch.levels.forEach((lv, l) => {
        const rl = ref.levels.get(lv.name);
        expect(rl, `level ${lv.name} in reference`).toBeDefined();
        p.dataSpaces.forEach((ds, t) => {
          const r = rl?.get(ds.name);
          const o = ev.levels[l]?.tensors[t];
          expect(o === null, `${lv.name}.${ds.name} bypass`).toBe(r === undefined);
          if (!r || !o) return;
          expect({ reads: o.reads, fills: o.fills, updates: o.updates, inst: ev.levels[l]?.utilizedInstances }, `${lv.name}.${ds.name}`)
            .toEqual({ reads: r.reads, fills: r.fills, updates: r.updates, inst: r.instances });
          compared++;
        });
      });
      expect(compared).toBeGreaterThan(0);
      expect(ev.computes).toBe(ref.computes);
      expect(ev.cycles).toBe(ref.cycles);
      expect(Math.abs(ev.energyPj / ref.energyPj - 1)).toBeLessThan(c.energyTolerance);
      expect(ev.violations).toEqual([]);
    });
  }
});
