/**
 * The surrogate strategy on NAS-Bench-201: the table plays the supernet (a query = a verification),
 * the predictor is fitted only on the cells queried so far, and the latency/energy of a (cell,
 * hardware) pair is the run's exact cost. The inner search's exact cost is a lookup in the same
 * universe the benchmark scores against.
 */
import type { ChoiceSpace } from '../../core/space/choice-space.ts';
import type { Joint } from '../../core/space/joint.ts';
import type { JsonObject } from '../../core/types.ts';
import { fitGpPredictor } from '../../estimators/accuracy/gp.ts';
import { NB201_NUM_EDGES, NB201_OPS, NB201_SIZE, nb201FromCode, type Nb201Arch, type Nb201Op } from '../../search-space/nb201-arch.ts';
import { nb201Index } from '../../search-space/nb201-index.ts';
import { categoricalPort } from '../../strategies/surrogate/categorical-port.ts';
import type { SurrogatePort } from '../../strategies/surrogate/port.ts';
import type { Nb201Universe } from './nb201-front.ts';

/** Queries per round: 10 at the 150-query budget of the paper's protocol, up to budget/40 for long runs. */
export function nb201SurrogateBatch(budget: number): number {
  return Math.max(10, Math.round(budget / 40));
}

export function nb201SurrogatePort(universe: Nb201Universe, hw: ChoiceSpace | null): SurrogatePort<JsonObject> {
  const K = universe.configs;
  // base-5 genome code → benchmark row, once
  const rowOf = Int32Array.from({ length: NB201_SIZE }, (_, code) => nb201Index(nb201FromCode(code)));
  const codeOf = (g: ArrayLike<number>) => {
    let c = 0;
    for (let i = 0; i < NB201_NUM_EDGES; i++) c = c * NB201_OPS.length + (g[i] as number);
    return c;
  };
  const genesOf = (arch: Nb201Arch) => arch.ops.map((op) => NB201_OPS.indexOf(op));
  const archOf = (g: readonly number[]): Nb201Arch => ({ ops: g.map((i) => NB201_OPS[i] as Nb201Op) });
  const conv3 = NB201_OPS.indexOf('nor_conv_3x3');
  const none = NB201_OPS.indexOf('none');
  return categoricalPort<JsonObject>({
    arity: Array.from({ length: NB201_NUM_EDGES }, () => NB201_OPS.length),
    largest: Array.from({ length: NB201_NUM_EDGES }, () => conv3),
    smallest: Array.from({ length: NB201_NUM_EDGES }, () => none),
    predicted: 'accuracy',
    costMetrics: ['latency', 'energy'],
    cost(g, h) {
      const m = universe.metrics[(rowOf[codeOf(g)] as number) * K + h] as { latency: number; energy: number };
      return [m.latency, m.energy];
    },
    ...(hw ? { hardware: hw } : {}),
    toValue: (g, h) => (hw ? ({ arch: archOf(g), hw: h as JsonObject } as unknown as JsonObject) : (archOf(g) as unknown as JsonObject)),
    fromValue: (x) => (hw ? { genes: genesOf((x as unknown as Joint<Nb201Arch, JsonObject>).arch), hw: (x as unknown as Joint<Nb201Arch, JsonObject>).hw } : { genes: genesOf(x as unknown as Nb201Arch), hw: null }),
    predictor: fitGpPredictor,
  });
}
