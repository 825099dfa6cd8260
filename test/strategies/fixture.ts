/**
 * A deterministic evaluation over the real NAS-Bench-201 space for strategy tests: cost from the
 * space's own layer list (MACs, parameters), an accuracy-like score that rewards convolutions and
 * penalises 'none', and a failure for a fixed family of cells so failed trials appear in every run.
 */
import { Rng } from '../../core/rng.ts';
import { layerMacs } from '../../core/types.ts';
import type { Metrics } from '../../core/types.ts';
import { Nb201Space } from '../../search-space/nb201.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import type { ObjectiveSpec } from '../../strategies/objectives.ts';
import type { Candidate } from '../../strategies/strategy.ts';

export const space = new Nb201Space();

const OP_SCORE: Record<string, number> = { none: 0, skip_connect: 2, avg_pool_3x3: 1, nor_conv_1x1: 3, nor_conv_3x3: 4 };

export function mmacs(x: Nb201Arch): number {
  return space.layers(x).reduce((s, l) => s + layerMacs(l), 0) / 1e6;
}

export function metricsOf(x: Nb201Arch): Metrics {
  const score = x.ops.reduce((s, op, i) => s + (OP_SCORE[op] as number) * (1 + 0.1 * i), 0);
  return { accuracy: 50 + score, latency: mmacs(x), energy: mmacs(x) * 0.5 + x.ops.filter((o) => o === 'none').length };
}

/** Cells whose first two edges are both 'none' "crash" (1/25 of the space). */
export async function evaluate(c: Candidate<Nb201Arch>): Promise<Metrics> {
  if (c.x.ops[0] === 'none' && c.x.ops[1] === 'none') throw new Error(`simulated crash on ${c.key}`);
  return metricsOf(c.x);
}

export const ACC_LAT: readonly ObjectiveSpec[] = [
  { name: 'accuracy', direction: 'max' },
  { name: 'latency', direction: 'min' },
];

export function rngFor(seed: number): Rng {
  return new Rng(seed).fork('strategy');
}
