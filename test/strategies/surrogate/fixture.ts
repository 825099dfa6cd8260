/**
 * The surrogate strategy on the strategy fixture (NAS-Bench-201 cells, synthetic accuracy, MAC
 * latency, 1/25 of the cells "crash"): a port whose exact costs are the fixture's own, alone or
 * with eight hardware options that scale latency and energy (so the accelerator pool has more
 * options than members and is refreshed).
 */
import { ChoiceSpace, type Choice } from '../../../core/space/choice-space.ts';
import { ProductSpace, type Joint } from '../../../core/space/joint.ts';
import type { JsonObject, Metrics } from '../../../core/types.ts';
import { fitGpPredictor } from '../../../estimators/accuracy/gp.ts';
import { NB201_OPS, type Nb201Arch, type Nb201Op } from '../../../search-space/nb201.ts';
import type { Candidate } from '../../../strategies/strategy.ts';
import { categoricalPort } from '../../../strategies/surrogate/categorical-port.ts';
import type { SurrogatePort } from '../../../strategies/surrogate/port.ts';
import { evaluate, metricsOf, space } from '../fixture.ts';

export const HW = new ChoiceSpace('hw', ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
export const jointSpace = new ProductSpace(space, HW);
/** Forty options, whose latency factor is not monotone in the index (the pool must search for the good ones). */
export const HW40 = new ChoiceSpace('hw40', Array.from({ length: 40 }, (_, i) => `o${i}`));
export const joint40 = new ProductSpace(space, HW40);

const archOf = (g: readonly number[]): Nb201Arch => ({ ops: g.map((i) => NB201_OPS[i] as Nb201Op) });
const genesOf = (a: Nb201Arch) => a.ops.map((op) => NB201_OPS.indexOf(op));
/** Hardware option h makes latency (1 + ((7h) mod 40)/10)× and energy (2 − h/40)× the fixture's. */
const scale = (m: Metrics, h: number): Metrics => ({ ...m, latency: (m.latency as number) * (1 + ((7 * h) % 40) / 10), energy: (m.energy as number) * (2 - h / 40) });

export function toyPort(withHw: boolean, hwSpace: ChoiceSpace = HW): SurrogatePort<JsonObject> {
  return categoricalPort<JsonObject>({
    arity: Array(6).fill(NB201_OPS.length),
    largest: Array(6).fill(NB201_OPS.indexOf('nor_conv_3x3')),
    smallest: Array(6).fill(NB201_OPS.indexOf('none')),
    predicted: 'accuracy',
    costMetrics: ['latency', 'energy'],
    cost: (g, h) => {
      const m = scale(metricsOf(archOf(Array.from(g))), h);
      return [m.latency as number, m.energy as number];
    },
    ...(withHw ? { hardware: hwSpace } : {}),
    toValue: (g, hw) => (withHw ? ({ arch: archOf(g), hw } as unknown as JsonObject) : (archOf(g) as unknown as JsonObject)),
    fromValue: (x) => (withHw ? { genes: genesOf((x as unknown as Joint<Nb201Arch, Choice>).arch), hw: (x as unknown as Joint<Nb201Arch, Choice>).hw } : { genes: genesOf(x as unknown as Nb201Arch), hw: null }),
    predictor: fitGpPredictor,
  });
}

/** The joint candidates' metrics: the fixture's, scaled by the hardware option. */
export async function evaluateJoint(c: Candidate<Joint<Nb201Arch, Choice>>): Promise<Metrics> {
  const m = await evaluate({ ...c, x: c.x.arch } as Candidate<Nb201Arch>);
  const hw = HW.options.includes(c.x.hw.choice) ? HW : HW40;
  return scale(m, hw.indexOf(c.x.hw));
}

/** Small enough for tests: 20 × 6 inner candidates per round. */
export const SMALL = { initial: 6, population: 20, generations: 5, cvFolds: 3, hwPool: 3, hwCandidates: 4, hwChildren: 3, hwRefresh: 1 } as const;
