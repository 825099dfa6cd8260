/**
 * The NAS-Bench-201 cell space as a SearchSpace: 6 edges × 5 ops = 15,625 archs, `{ ops: [...] }`
 * (nb201-arch.ts), keyed by the benchmark string, indexed in benchmark order (nb201-index.ts),
 * lowered to the macro skeleton's layers (nb201-layers.ts). size() = 5^6 = 15,625.
 */
import type { Rng } from '../core/rng.ts';
import type { LayerSpec } from '../core/types.ts';
import { layerMacs } from '../core/types.ts';
import { checkChoices, crossoverGenomes, decodeGroups, encodeGenome, encodingLength, mutateGenome, sampleGenome } from '../core/space/genome.ts';
import type { Arity } from '../core/space/genome.ts';
import type { Nb201Arch, Nb201Op } from './nb201-arch.ts';
import { NB201_NUM_EDGES, NB201_OPS, NB201_SIZE, formatNb201String, validateNb201 } from './nb201-arch.ts';
import type { Nb201Config } from './nb201-config.ts';
import { parseNb201Config } from './nb201-config.ts';
import { nb201ArchAt } from './nb201-index.ts';
import { nb201Layers } from './nb201-layers.ts';
import type { LayerOptions, NetworkSpace } from '../core/space/space.ts';
import { InvalidArchError } from '../core/errors.ts';

const ARITY: Arity = Array.from({ length: NB201_NUM_EDGES }, () => NB201_OPS.length);
const ALL_ACTIVE = ARITY.map(() => true);

function fromGenome(g: readonly number[]): Nb201Arch {
  return { ops: g.map((i) => NB201_OPS[i] as Nb201Op) };
}

export class Nb201Space implements NetworkSpace<Nb201Arch> {
  readonly name = 'nb201';
  readonly config: Nb201Config;
  readonly encodingLength = encodingLength(ARITY);

  /** `config` shapes `layers()` only (dataset, channels, bits); the cell space itself is fixed. */
  constructor(config: unknown = {}) {
    this.config = parseNb201Config(config);
  }

  sample(rng: Rng): Nb201Arch {
    return fromGenome(sampleGenome(ARITY, rng));
  }

  mutate(x: Nb201Arch, rng: Rng, p: number): Nb201Arch {
    const child = mutateGenome(this.genome(x), ARITY, rng, p, () => ALL_ACTIVE, (a, b) => a.every((v, i) => v === b[i]));
    return fromGenome(child);
  }

  crossover(a: Nb201Arch, b: Nb201Arch, rng: Rng): Nb201Arch {
    return fromGenome(crossoverGenomes(this.genome(a), this.genome(b), rng));
  }

  encode(x: Nb201Arch): number[] {
    return encodeGenome(this.genome(x), ARITY, ALL_ACTIVE);
  }

  decode(v: readonly number[]): Nb201Arch {
    const genes = decodeGroups(v, ARITY);
    const empty = genes.indexOf(-1);
    if (empty >= 0) throw new InvalidArchError(`encoding[${empty * NB201_OPS.length}]`, 0, 'every edge needs exactly one op');
    return fromGenome(genes);
  }

  decisions(): readonly number[] {
    return ARITY;
  }

  fromChoices(choices: readonly number[]): Nb201Arch {
    checkChoices(choices, ARITY);
    return fromGenome(choices);
  }

  choices(x: Nb201Arch): number[] {
    return this.genome(x);
  }

  validate(x: unknown): Nb201Arch {
    return validateNb201(x);
  }

  /** The benchmark string (isomorphic cells keep distinct keys, as in the benchmark). */
  key(x: Nb201Arch): string {
    return formatNb201String(x);
  }

  size(): bigint {
    return BigInt(NB201_SIZE);
  }

  /** All 15,625 cells in benchmark index order (index i = i-th value). */
  *enumerate(): Iterable<Nb201Arch> {
    for (let i = 0; i < NB201_SIZE; i++) yield nb201ArchAt(i);
  }

  layers(x: Nb201Arch, options?: LayerOptions): LayerSpec[] {
    return nb201Layers(this.config, this.validate(x), options);
  }

  describe(x: Nb201Arch): string {
    const macs = this.layers(x).reduce((s, l) => s + layerMacs(l), 0);
    return `${this.key(x)} | ${(macs / 1e6).toFixed(2)}M MACs`;
  }

  /** Every edge a 3×3 conv: the most compute. */
  largest(): Nb201Arch {
    return { ops: ARITY.map(() => 'nor_conv_3x3' as const) };
  }

  /** Every edge 'none': only the skeleton is computed. */
  smallest(): Nb201Arch {
    return { ops: ARITY.map(() => 'none' as const) };
  }

  private genome(x: Nb201Arch): number[] {
    return this.validate(x).ops.map((op) => NB201_OPS.indexOf(op));
  }
}

export function createNb201Space(config: unknown = {}): Nb201Space {
  return new Nb201Space(config);
}

export { formatNb201String, parseNb201String, NB201_OPS, NB201_EDGES, NB201_SIZE } from './nb201-arch.ts';
export type { Nb201Arch, Nb201Op } from './nb201-arch.ts';
export { nb201Index, nb201ArchAt } from './nb201-index.ts';
