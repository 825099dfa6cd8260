/**
 * Published silicon, built into the code (a handful of figures with their citations, so these
 * checks run in any clone): the Eyeriss chip's per-layer latency and DRAM traffic on AlexNet
 * CONV1–5 (goals ±20 % and ±30 %; the uncoded traffic is shown beside), and core areas of the
 * presets that follow published chips (calibration ±25 %, validation ±40 %).
 */
import { layerFigures } from '../layer-figures.ts';
import { bestOfSeeds, type SeededBudget } from '../mapper/best-of-seeds.ts';
import type { Evaluation } from '../model/analysis.ts';
import { preset } from '../presets.ts';
import { archAreaMm2 } from '../spec.ts';
import { fromLayer } from '../workload.ts';
import { AREA_TOLERANCE, PUBLISHED_AREAS } from '../tech/published-chips.ts';
import { check, type Check } from './checks.ts';
import { EYERISS_ALEXNET, EYERISS_TOLERANCE } from './eyeriss-alexnet.ts';

/**
 * The chip's mapping policy: its RS mapping parameters come from an optimisation of energy under the
 * hardware's resources (JSSC 2017 §IV-A, after Chen et al., ISCA 2016), with PE sets replicated to
 * keep the array busy — Table V publishes how many PEs each layer keeps active. So each layer is
 * mapped for least energy among mappings that keep at least the published active PEs busy (a
 * Timeloop-style minimum utilization), not for least EDP: on CONV4 the best-EDP mapping pads the
 * filters to occupy all 168 PEs and refetches weights (3.25 MB, +55 %), which the chip does not.
 * The energy is ours with DRAM weighed as that optimisation weighed it: 200× a MAC per access
 * (ISCA 2016 Table IV) where our ERT has 128 pJ ÷ 0.832 pJ ≈ 154×. It decides CONV2, which has two
 * basins 0.3 % apart in our picojoules, at 4.27 MB and 5.52 MB of DRAM traffic: unweighted, the
 * 5.52 MB one is the lower (3,761.6 vs 3,773.2 µJ) and a seed group that found it missed the goal
 * (+38 %); weighted, the 4.27 MB one is.
 * Effort: per layer the best of six independent searches (seeds 1–6) of 10,000 candidates, a third
 * of them local search (annealing from several spatial layouts, then a descent): the basins differ
 * in spatial layout, which one search's local moves rarely cross, so restarts are what make the
 * table seed-robust — disjoint seed groups 1–6, 7–12, 13–18, 19–24 give every figure within its
 * goal (README "The Eyeriss chip"), where single searches of 10,000 (or 60,000) candidates miss
 * CONV2's or CONV4's traffic for some seeds.
 */
export const CHIP_MAPPER_BUDGET: SeededBudget = {
  maxEvaluations: 10_000, patience: 2_500, refineEvaluations: 3_333, seeds: [1, 2, 3, 4, 5, 6], objective: 'energy', scoreFn: rsOptimiserEnergy,
};

/** DRAM per access relative to a MAC in the RS optimiser (ISCA 2016 Table IV) over the same ratio in our eyeriss ERT. */
const RS_DRAM_WEIGHT = ((): number => {
  const a = preset('eyeriss');
  return 200 / ((a.levels[a.levels.length - 1]?.energy.read ?? 1) / a.mac.energyPj);
})();

/** Energy as the chip's RS optimiser weighs it (DRAM at 200× a MAC); ties go to the faster mapping. */
export function rsOptimiserEnergy(e: Evaluation): number {
  const dram = e.levels[e.levels.length - 1]?.energyPj ?? 0;
  return (e.energyPj + (RS_DRAM_WEIGHT - 1) * dram) * (1 + 1e-12 * e.cycles);
}

export function eyerissChipChecks(budget: SeededBudget = CHIP_MAPPER_BUDGET): Check[] {
  const chip = preset('eyeriss');
  const out: Check[] = [];
  for (const c of EYERISS_ALEXNET) {
    const p = fromLayer(c.layer);
    const a = { ...chip, minUtilization: c.activePes / chip.mac.instances };
    const best = bestOfSeeds(p, a, budget);
    const l = layerFigures(c.layer.name, c.layer, best.evaluation, a);
    const name = `Eyeriss AlexNet ${l.name} (batch 4)`;
    out.push(check('eyeriss-chip', name, 'latency ms', c.latencyMs, l.latencyMs, { tolerance: EYERISS_TOLERANCE.latency }));
    out.push(check('eyeriss-chip', name, 'DRAM MB (run-length coded)', c.dramMB, l.offChipBytes / 1e6, {
      tolerance: EYERISS_TOLERANCE.dram, note: `uncoded ${(l.offChipDenseBytes / 1e6).toFixed(2)} MB`,
    }));
  }
  return out;
}

export function areaChecks(): Check[] {
  return PUBLISHED_AREAS.map((p) => check('area', `${p.chip} (${p.technologyNm} nm, preset ${p.preset})`, 'core area mm²', p.areaMm2, archAreaMm2(preset(p.preset)), {
    tolerance: p.role === 'informational' ? null : AREA_TOLERANCE[p.role], note: `${p.role}: ${p.note}`,
  }));
}
