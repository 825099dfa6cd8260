/**
 * Published silicon, built into the code (a handful of figures with their citations, so these
 * checks run in any clone): the Eyeriss chip's per-layer latency and DRAM traffic on AlexNet
 * CONV1–5 (goals ±20 % and ±30 %; the uncoded traffic is shown beside), and core areas of the
 * presets that follow published chips (calibration ±25 %, validation ±40 %).
 */
import { CostModel } from '../cost-model.ts';
import { preset } from '../presets.ts';
import { archAreaMm2 } from '../spec.ts';
import { AREA_TOLERANCE, PUBLISHED_AREAS } from '../tech/published-chips.ts';
import { check, type Check } from './checks.ts';
import { EYERISS_ALEXNET, EYERISS_TOLERANCE } from './eyeriss-alexnet.ts';

/** Mapper budget for the chip table: enough candidates that the row-stationary mapspace is well searched. */
export const CHIP_MAPPER_BUDGET = { maxEvaluations: 10_000, patience: 2_500, refineEvaluations: 5_000, seed: 1 } as const;

export function eyerissChipChecks(budget: { maxEvaluations: number; patience: number; refineEvaluations: number; seed: number } = CHIP_MAPPER_BUDGET): Check[] {
  const r = new CostModel(budget).evaluate(EYERISS_ALEXNET.map((c) => c.layer), preset('eyeriss'));
  const out: Check[] = [];
  r.perLayer.forEach((l, i) => {
    const c = EYERISS_ALEXNET[i];
    if (!c) return;
    const name = `Eyeriss AlexNet ${l.name} (batch 4)`;
    out.push(check('eyeriss-chip', name, 'latency ms', c.latencyMs, l.latencyMs, { tolerance: EYERISS_TOLERANCE.latency }));
    out.push(check('eyeriss-chip', name, 'DRAM MB (run-length coded)', c.dramMB, l.offChipBytes / 1e6, {
      tolerance: EYERISS_TOLERANCE.dram, note: `uncoded ${(l.offChipDenseBytes / 1e6).toFixed(2)} MB`,
    }));
  });
  return out;
}

export function areaChecks(): Check[] {
  return PUBLISHED_AREAS.map((p) => check('area', `${p.chip} (${p.technologyNm} nm, preset ${p.preset})`, 'core area mm²', p.areaMm2, archAreaMm2(preset(p.preset)), {
    tolerance: p.role === 'informational' ? null : AREA_TOLERANCE[p.role], note: `${p.role}: ${p.note}`,
  }));
}
