/**
 * The accelerator search space: PE rows × cols, per-PE register-file words, global-buffer KiB,
 * DRAM bandwidth, dataflow and precision mode, under an area budget (core area of the technology
 * model at ACCEL_TECHNOLOGY_NM, control/NoC overhead included). It implements the SearchSpace
 * contract (core/space/space.ts) with the shared genome operators of core/space/genome.ts — one
 * decision per field — and rejection-samples within the budget; strategies search it alone or
 * jointly with networks.
 */
import { InvalidArchError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import { checkChoices, crossoverGenomes, decodeGroups, encodeGenome, encodingLength, mutateGenome, sampleGenome, type Arity } from '../../core/space/genome.ts';
import { buildArch, type LevelSpec } from '../build-arch.ts';
import { archAreaMm2, type ArchSpec } from '../spec.ts';

export const ACCEL_CHOICES = {
  peRows: [4, 8, 12, 16, 32],
  peCols: [4, 8, 14, 16, 32],
  rfWords: [8, 16, 32, 64, 192],
  glbKiB: [32, 64, 108, 128, 256, 512],
  dramGBps: [4, 8, 16, 32],
  dataflow: ['ws', 'os', 'rs'],
  precision: ['int8', 'int16', 'bitfusion'],
} as const;

type Choices = typeof ACCEL_CHOICES;
type Field = keyof Choices;
const FIELDS = Object.keys(ACCEL_CHOICES) as Field[];

export interface AccelConfig extends JsonObject {
  readonly peRows: number;
  readonly peCols: number;
  readonly rfWords: number;
  readonly glbKiB: number;
  readonly dramGBps: number;
  readonly dataflow: Choices['dataflow'][number];
  readonly precision: Choices['precision'][number];
}

const CLOCK_GHZ = 1;
/** Node of the searched accelerators: 45 nm, where the component tables were measured (tech/). */
export const ACCEL_TECHNOLOGY_NM = 45;
const DDR3_PJ_PER_BYTE = 1300 / 8; // Horowitz, ISSCC 2014: 1.3 nJ per 64 bits

/** The accelerator a config denotes, as a storage hierarchy for the cost model (at 45 nm). */
export function accelArch(c: AccelConfig): ArchSpec {
  return accelArchAt(c, ACCEL_TECHNOLOGY_NM);
}

/** The same accelerator built at another node (what-if studies; the search space stays at 45 nm). */
export function accelArchAt(c: AccelConfig, technologyNm: number): ArchSpec {
  const bits = c.precision === 'int16' ? 16 : 8;
  const rf = (keep?: string[]): LevelSpec => ({ name: 'rf', words: c.rfWords, wordBits: bits, perPe: true, ...(keep ? { keep } : {}) });
  const spatial: Record<AccelConfig['dataflow'], { x: string[]; y: string[]; rf: LevelSpec; bypass?: string[] }> = {
    ws: { x: ['M'], y: ['C', 'R', 'S'], rf: rf(['Weights']) },
    os: { x: ['P', 'Q', 'N'], y: ['M', 'G'], rf: rf(['Outputs']) },
    rs: { x: ['Q', 'M', 'G'], y: ['R', 'S', 'C'], rf: rf(), bypass: ['Weights'] },
  };
  const d = spatial[c.dataflow];
  const glb: LevelSpec = {
    name: 'GLB', words: (c.glbKiB * 8192) / bits, wordBits: bits, perPe: false,
    spatialX: d.x, spatialY: d.y, ...(d.bypass ? { bypass: d.bypass } : {}),
  };
  const dram: LevelSpec = { name: 'DRAM', words: Infinity, wordBits: 8, perPe: false, readPj: DDR3_PJ_PER_BYTE, writePj: DDR3_PJ_PER_BYTE, bandwidth: c.dramGBps / CLOCK_GHZ };
  const suffix = technologyNm === ACCEL_TECHNOLOGY_NM ? '' : `-${technologyNm}nm`;
  return buildArch({
    name: `${accelKey(c)}${suffix}`, description: 'searched accelerator', source: 'accelerator search space', rows: c.peRows, cols: c.peCols, macBits: bits,
    clockGHz: CLOCK_GHZ, technologyNm, levels: [d.rf, glb, dram], precision: c.precision === 'bitfusion' ? 'bitfusion' : 'scaled',
  });
}

export function accelKey(c: AccelConfig): string {
  return `pe${c.peRows}x${c.peCols}-rf${c.rfWords}-glb${c.glbKiB}k-bw${c.dramGBps}-${c.dataflow}-${c.precision}`;
}

export interface AccelSpaceOptions {
  /** Configurations above this core area (mm², our area model) are invalid. Default: no budget. */
  readonly areaBudgetMm2?: number;
}

function fromIndices(ix: readonly number[]): AccelConfig {
  const o: Record<string, number | string> = {};
  FIELDS.forEach((f, i) => { o[f] = (ACCEL_CHOICES[f] as readonly (number | string)[])[ix[i] ?? 0] as number | string; });
  return o as AccelConfig;
}

function toIndices(c: AccelConfig): number[] {
  return FIELDS.map((f) => (ACCEL_CHOICES[f] as readonly (number | string)[]).indexOf(c[f]));
}

const ARITY: Arity = FIELDS.map((f) => ACCEL_CHOICES[f].length);
const ALL_ACTIVE = ARITY.map(() => true);
const OFFSETS = ARITY.map((_a, i) => ARITY.slice(0, i).reduce((s, x) => s + x, 0));
const sameGenome = (a: readonly number[], b: readonly number[]) => a.every((v, i) => v === b[i]);

export class AccelSpace implements SearchSpace<AccelConfig> {
  readonly name = 'accel';
  readonly encodingLength = encodingLength(ARITY);
  private readonly budget: number;
  private readonly areaCache = new Map<string, number>();
  private sizeMemo: bigint | undefined;

  constructor(opts: AccelSpaceOptions = {}) {
    this.budget = opts.areaBudgetMm2 ?? Infinity;
  }

  /** Area of a config under our area model (mm², cached by key). */
  area(c: AccelConfig): number {
    const k = accelKey(c);
    let a = this.areaCache.get(k);
    if (a === undefined) {
      a = archAreaMm2(accelArch(c));
      this.areaCache.set(k, a);
    }
    return a;
  }

  private fits(c: AccelConfig): boolean {
    return this.area(c) <= this.budget;
  }

  sample(rng: Rng): AccelConfig {
    for (let i = 0; i < 10_000; i++) {
      const c = fromIndices(sampleGenome(ARITY, rng));
      if (this.fits(c)) return c;
    }
    throw new InvalidArchError('areaBudgetMm2', this.budget, 'admits no configuration');
  }

  /** The genome operator, redrawn (up to 1000 times) until the child fits the budget; else a copy of x. */
  mutate(x: AccelConfig, rng: Rng, p: number): AccelConfig {
    if (!(p >= 0 && p <= 1)) throw new InvalidArchError('p', p, 'must be a probability in [0, 1]');
    const base = toIndices(this.validate(x));
    for (let attempt = 0; attempt < 1000; attempt++) {
      const c = fromIndices(mutateGenome(base, ARITY, rng, p, () => ALL_ACTIVE, sameGenome));
      if (this.fits(c)) return c;
    }
    return { ...x };
  }

  crossover(a: AccelConfig, b: AccelConfig, rng: Rng): AccelConfig {
    const ia = toIndices(a);
    const ib = toIndices(b);
    for (let attempt = 0; attempt < 100; attempt++) {
      const c = fromIndices(crossoverGenomes(ia, ib, rng));
      if (this.fits(c)) return c;
    }
    return { ...a };
  }

  encode(x: AccelConfig): number[] {
    return encodeGenome(toIndices(x), ARITY, ALL_ACTIVE);
  }

  decode(v: readonly number[]): AccelConfig {
    const genes = decodeGroups(v, ARITY);
    const empty = genes.indexOf(-1);
    if (empty >= 0) {
      const start = OFFSETS[empty] as number;
      throw new InvalidArchError(`encoding[${start}]`, v.slice(start, start + (ARITY[empty] as number)), `must be a one-hot group for ${FIELDS[empty]}`);
    }
    return this.validate(fromIndices(genes));
  }

  validate(x: unknown): AccelConfig {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new InvalidArchError('accel', x, 'must be an object');
    const o = x as Record<string, unknown>;
    for (const f of FIELDS) {
      if (!(ACCEL_CHOICES[f] as readonly unknown[]).includes(o[f])) throw new InvalidArchError(f, o[f], `must be one of ${ACCEL_CHOICES[f].join(', ')}`);
    }
    const extra = Object.keys(o).filter((k) => !(FIELDS as string[]).includes(k));
    if (extra.length) throw new InvalidArchError(extra[0] as string, o[extra[0] as string], 'is not a field of the accelerator space');
    const c = x as AccelConfig;
    if (!this.fits(c)) throw new InvalidArchError('areaMm2', this.area(c), `exceeds the area budget ${this.budget} mm²`);
    return c;
  }

  key(x: AccelConfig): string {
    return accelKey(x);
  }

  size(): bigint {
    if (this.sizeMemo === undefined) {
      let n = 0n;
      for (const _c of this.enumerate()) n++;
      this.sizeMemo = n;
    }
    return this.sizeMemo;
  }

  *enumerate(): Iterable<AccelConfig> {
    const ix = ARITY.map(() => 0);
    for (;;) {
      const c = fromIndices(ix);
      if (this.fits(c)) yield c;
      let i = ix.length - 1;
      while (i >= 0 && (ix[i] = ((ix[i] ?? 0) + 1) % (ARITY[i] ?? 1)) === 0) i--;
      if (i < 0) return;
    }
  }

  /** One decision per field, in ACCEL_CHOICES order. */
  decisions(): readonly number[] {
    return ARITY;
  }

  /** Throws InvalidArchError naming `areaMm2` when the chosen config exceeds the budget. */
  fromChoices(choices: readonly number[]): AccelConfig {
    checkChoices(choices, ARITY);
    return this.validate(fromIndices(choices));
  }

  choices(x: AccelConfig): number[] {
    return toIndices(this.validate(x));
  }
}

export function createAccelSpace(opts: AccelSpaceOptions = {}): AccelSpace {
  return new AccelSpace(opts);
}
