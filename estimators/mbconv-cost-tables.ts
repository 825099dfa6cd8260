/**
 * Cost tables (expected-cost.ts) for the mbconv space: one term per piece of the network, each over
 * the genome decisions that piece depends on, plus an optional last decision "which accelerator of a
 * pool" for relaxed hardware (E = Σ_h p_h · E_arch[cost | h], exact over the pool).
 *
 * A block's shape depends on resolution, its stage's depth (present or not), the width of its input
 * (the previous stage's for block 0), its stage's width, kernel and expand ratio; its bits on its own
 * wbits/abits and, for the project layer, the abits of whichever layer consumes its output (next
 * block, next stage's first block or the head — which one depends on depth). Shapes come from
 * lowering real archs with `space.layers` (one lowering per shape assignment); bit-widths are then
 * set on the lowered layer by the lowering's own rule (block layers: weights = wbits, inputs =
 * abits; outputs = the consumer's inputs), which the brute-force test checks against full lowering.
 */
import { ConfigError } from '../core/errors.ts';
import type { LayerSpec } from '../core/types.ts';
import { layerKey } from '../hardware/index.ts';
import type { MbconvSpace } from '../search-space/mbconv.ts';
import { fromGenome, genomeArity } from '../search-space/mbconv-arch.ts';
import { mbconvGenes } from '../supernet/relaxed.ts';
import type { CostTable, CostTerm } from './expected-cost.ts';

/** Cost of one scope's layers (a latency unit, or a single layer) on accelerator `hw` of the pool (0 without a pool). */
export type ScopeCost = (layers: readonly LayerSpec[], hw: number) => number;

export interface MbconvCostOptions {
  /** 'unit': one term per latency unit (LUT entries are per block); 'layer': one term per layer. */
  readonly scope: 'unit' | 'layer';
  /** The cost depends on bit-widths (accelerator models; the LUT does not). */
  readonly bits: boolean;
  /** Accelerator pool size: appends one decision with this many choices. */
  readonly hwCount?: number;
  /** Batch size written into the layers (default 1). */
  readonly batch?: number;
}

interface Scope {
  readonly layers: readonly string[];
  readonly shape: readonly number[];
  readonly bits: readonly number[];
}

const BLOCK = /^stage(\d+)\.block(\d+)\./;

/** The genome decisions (then the pool decision) that the decision vector of this table holds. */
export function mbconvCostArity(space: MbconvSpace, hwCount = 0): number[] {
  return hwCount > 0 ? [...genomeArity(space.config), hwCount] : [...genomeArity(space.config)];
}

function scopes(space: MbconvSpace, opts: MbconvCostOptions): Scope[] {
  const cfg = space.config;
  const G = mbconvGenes(cfg);
  const S = cfg.stages.length;
  const depth = (s: number) => (cfg.depths.length > 1 ? [G.depth(s)] : []);
  const out: Scope[] = [{ layers: ['stem'], shape: [G.resolution], bits: opts.bits ? [G.block(0, 0, 'abits')] : [] }];
  for (let s = 0; s < S; s++) {
    for (let b = 0; b < cfg.maxDepth; b++) {
      const cin = b > 0 ? [G.width(s)] : s > 0 ? [G.width(s - 1)] : [];
      const base = [G.resolution, ...depth(s), ...cin, ...(b > 0 ? [] : [G.width(s)])];
      const own = [G.block(s, b, 'wbits'), G.block(s, b, 'abits')];
      const consumers = [...(b + 1 < cfg.maxDepth ? [G.block(s, b + 1, 'abits')] : []), ...(s + 1 < S ? [G.block(s + 1, 0, 'abits')] : [])];
      const pre = `stage${s}.block${b}`;
      const k = G.block(s, b, 'kernel');
      const e = G.block(s, b, 'expand');
      if (opts.scope === 'unit') {
        out.push({ layers: [`${pre}.expand`, `${pre}.depthwise`, `${pre}.project`], shape: [...base, k, e], bits: opts.bits ? [...own, ...consumers] : [] });
      } else {
        out.push({ layers: [`${pre}.expand`], shape: [...base, e], bits: opts.bits ? own : [] });
        out.push({ layers: [`${pre}.depthwise`], shape: [...base, k, e], bits: opts.bits ? own : [] });
        out.push({ layers: [`${pre}.project`], shape: [...base, e], bits: opts.bits ? [...own, ...consumers] : [] });
      }
    }
  }
  out.push({ layers: ['head'], shape: [G.resolution, G.width(S - 1)], bits: [] }, { layers: ['pool'], shape: [G.resolution], bits: [] }, { layers: ['fc'], shape: [], bits: [] });
  return out;
}

/** Calls `f` with every assignment of `sizes` (row-major, last fastest) and its flat index. */
function forEachAssignment(sizes: readonly number[], f: (a: readonly number[], at: number) => void): void {
  const total = sizes.reduce((n, s) => n * s, 1);
  const a = new Array<number>(sizes.length).fill(0);
  for (let at = 0; at < total; at++) {
    f(a, at);
    for (let i = sizes.length - 1; i >= 0; i--) {
      a[i] = (a[i] as number) + 1;
      if ((a[i] as number) < (sizes[i] as number)) break;
      a[i] = 0;
    }
  }
}

/** The bit-widths a layer gets under `genome` (mbconv-layers.ts rule), given the layer that consumes its output. */
function withBits(space: MbconvSpace, l: LayerSpec, consumer: LayerSpec | undefined, genome: readonly number[]): LayerSpec {
  const cfg = space.config;
  const G = mbconvGenes(cfg);
  const abits = (name: string | undefined): number | undefined => {
    const m = name ? BLOCK.exec(name) : null;
    return m ? (cfg.activationBits[genome[G.block(Number(m[1]), Number(m[2]), 'abits')] as number] as number) : undefined;
  };
  const m = BLOCK.exec(l.name);
  const weights = m ? (cfg.weightBits[genome[G.block(Number(m[1]), Number(m[2]), 'wbits')] as number] as number) : l.bits.weights;
  const inputs = abits(l.name) ?? l.bits.inputs;
  const outputs = consumer ? (abits(consumer.name) ?? l.bits.outputs) : inputs;
  return { ...l, bits: { weights, inputs, outputs } };
}

export function mbconvCostTable(space: MbconvSpace, metric: string, cost: ScopeCost, opts: MbconvCostOptions): CostTable {
  const cfg = space.config;
  const hwCount = opts.hwCount ?? 0;
  if (!Number.isInteger(hwCount) || hwCount < 0) throw new ConfigError('hwCount', hwCount, 'must be a non-negative integer');
  const arity = mbconvCostArity(space, hwCount);
  const genomeLength = genomeArity(cfg).length;
  const memo = new Map<string, number>();
  const terms: CostTerm[] = scopes(space, opts).map((sc) => {
    const inner = [...sc.bits, ...(hwCount > 0 ? [genomeLength] : [])];
    const groups = [...sc.shape, ...inner];
    const innerSizes = inner.map((g) => arity[g] as number);
    const innerSize = innerSizes.reduce((n, s) => n * s, 1);
    const table = new Float64Array(groups.reduce((n, g) => n * (arity[g] as number), 1));
    forEachAssignment(sc.shape.map((g) => arity[g] as number), (shapeA, shapeAt) => {
      const genome = new Array<number>(genomeLength).fill(0);
      sc.shape.forEach((g, i) => (genome[g] = shapeA[i] as number));
      const all = space.layers(fromGenome(cfg, genome), { batch: opts.batch ?? 1 });
      const found = sc.layers.map((name) => all.findIndex((l) => l.name === name));
      if (found.some((i) => i < 0)) return; // block beyond the stage's depth: costs nothing
      forEachAssignment(innerSizes, (innerA, innerAt) => {
        sc.bits.forEach((g, i) => (genome[g] = innerA[i] as number));
        const hw = hwCount > 0 ? (innerA[inner.length - 1] as number) : 0;
        const layers = found.map((i) => (sc.bits.length > 0 ? withBits(space, all[i] as LayerSpec, all[i + 1], genome) : (all[i] as LayerSpec)));
        const key = `${layers.map((l) => `${layerKey(l)}${l.residualFrom ? '+r' : ''}`).join('/')}@${hw}`;
        let c = memo.get(key);
        if (c === undefined) memo.set(key, (c = cost(layers, hw)));
        table[shapeAt * innerSize + innerAt] = c;
      });
    });
    return { groups, table };
  });
  return { metric, arity, terms };
}

/** A cost that depends on the accelerator only (e.g. area): one term over the pool decision. */
export function poolCostTable(space: MbconvSpace, metric: string, perHw: readonly number[]): CostTable {
  const arity = mbconvCostArity(space, perHw.length);
  return { metric, arity, terms: [{ groups: [arity.length - 1], table: Float64Array.from(perHw) }] };
}
