/**
 * The default `mbconv` search space (DESIGN.md §4): OFA/MobileNetV3-style elastic MBConv network.
 * Arch JSON and genome: mbconv-arch.ts; configuration and channel choices: mbconv-config.ts;
 * lowering to layers: mbconv-layers.ts.
 *
 * size(): blocks beyond a stage's depth do not count, so with B = |kernels|·|expands|·|wbits|·|abits|
 * choices per block, a stage has |widths| · Σ_{d ∈ depths} B^d settings and the space has
 *   |resolutions| · (|widths| · Σ_d B^d)^stages
 * archs. Defaults: B = 3·3·3·2 = 54, a stage 3·(54 + 54² + 54³) = 481,302, total
 * 3 · 481,302⁴ = 160,987,412,479,866,251,884,848 ≈ 1.61·10²³ (checked by brute force on reduced configs).
 */
import type { LayerSpec } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import { InvalidArchError } from '../core/errors.ts';
import { checkChoices, crossoverGenomes, decodeGroups, encodeGenome, encodingLength, mutateGenome, sampleGenome } from '../core/space/genome.ts';
import type { Arity } from '../core/space/genome.ts';
import type { MbconvArch } from './mbconv-arch.ts';
import { activeGenes, extremeArch, fromGenome, genomeArity, mbconvKey, toGenome, validateMbconv } from './mbconv-arch.ts';
import type { MbconvConfig } from './mbconv-config.ts';
import { parseMbconvConfig } from './mbconv-config.ts';
import { mbconvLayers } from './mbconv-layers.ts';
import { createMbconvEncoder, type MbconvEncoder } from './mbconv-encode.ts';
import type { LayerOptions, NetworkSpace } from '../core/space/space.ts';
import { layerMacs } from '../core/types.ts';

export class MbconvSpace implements NetworkSpace<MbconvArch> {
  readonly name = 'mbconv';
  readonly config: MbconvConfig;
  readonly encodingLength: number;
  private readonly arity: Arity;
  private readonly fast: MbconvEncoder;

  /** `config` is validated with zod; throws ConfigError naming e.g. `mbconv.kernels`. */
  constructor(config: unknown = {}) {
    this.config = parseMbconvConfig(config);
    this.arity = genomeArity(this.config);
    this.encodingLength = encodingLength(this.arity);
    this.fast = createMbconvEncoder(this.config);
  }

  sample(rng: Rng): MbconvArch {
    return fromGenome(this.config, sampleGenome(this.arity, rng));
  }

  mutate(x: MbconvArch, rng: Rng, p: number): MbconvArch {
    const g = this.genome(x);
    const child = mutateGenome(
      g, this.arity, rng, p,
      (c) => activeGenes(this.config, c),
      (a, b) => this.key(fromGenome(this.config, a)) === this.key(fromGenome(this.config, b)),
    );
    return fromGenome(this.config, child);
  }

  crossover(a: MbconvArch, b: MbconvArch, rng: Rng): MbconvArch {
    return fromGenome(this.config, crossoverGenomes(this.genome(a), this.genome(b), rng));
  }

  encode(x: MbconvArch): number[] {
    const g = this.genome(x);
    return encodeGenome(g, this.arity, activeGenes(this.config, g));
  }

  /**
   * Same values as `encode`, written into a preallocated buffer (`length × encodingLength` floats,
   * row-major) for batched predictors; checks the values it reads, not unknown extra fields.
   */
  encodeBatch(archs: readonly MbconvArch[], out?: Float32Array): Float32Array {
    return this.fast.encodeBatch(archs, out);
  }

  /** Inactive blocks must be all-zero groups; they decode to copies of the stage's last active block. */
  decode(v: readonly number[]): MbconvArch {
    const genes = decodeGroups(v, this.arity);
    const isHot = genes.map((x) => x >= 0);
    const filled = genes.map((x) => Math.max(x, 0));
    const active = activeGenes(this.config, filled);
    let offset = 0;
    active.forEach((a, i) => {
      if (a !== isHot[i]) {
        const problem = a ? 'one-hot group of an active choice is all zero' : 'inactive block must be an all-zero group';
        throw new InvalidArchError(`encoding[${offset}]`, v.slice(offset, offset + (this.arity[i] as number)), problem);
      }
      offset += this.arity[i] as number;
    });
    return this.canonical(filled);
  }

  decisions(): readonly number[] {
    return this.arity;
  }

  /** Blocks beyond a stage's depth come out as copies of its last active block, as from `decode`. */
  fromChoices(choices: readonly number[]): MbconvArch {
    checkChoices(choices, this.arity);
    return this.canonical(choices);
  }

  choices(x: MbconvArch): number[] {
    return this.genome(x);
  }

  /** The arch of a genome with every inactive block a copy of its stage's last active block. */
  private canonical(genome: readonly number[]): MbconvArch {
    const arch = fromGenome(this.config, genome);
    return {
      ...arch,
      stages: arch.stages.map((st) => ({
        ...st,
        blocks: st.blocks.map((b, i) => (i < st.depth ? b : { ...(st.blocks[st.depth - 1] ?? b) })),
      })),
    };
  }

  validate(x: unknown): MbconvArch {
    return validateMbconv(this.config, x);
  }

  key(x: MbconvArch): string {
    return mbconvKey(x);
  }

  size(): bigint {
    const c = this.config;
    const perBlock = BigInt(c.kernels.length * c.expands.length * c.weightBits.length * c.activationBits.length);
    const perStage = BigInt(c.widths.length) * c.depths.reduce((s, d) => s + perBlock ** BigInt(d), 0n);
    return BigInt(c.resolutions.length) * perStage ** BigInt(c.stages.length);
  }

  layers(x: MbconvArch, options?: LayerOptions): LayerSpec[] {
    return mbconvLayers(this.config, this.validate(x), options);
  }

  largest(): MbconvArch {
    return extremeArch(this.config, (v) => Math.max(...v));
  }

  smallest(): MbconvArch {
    return extremeArch(this.config, (v) => Math.min(...v));
  }

  /** e.g. `r28 | d2 w0.75 [k5e4 w8a8, k3e6 w4a8] | … | 12.34M MACs` */
  describe(x: MbconvArch): string {
    const stages = x.stages.map((st) => {
      const blocks = st.blocks.slice(0, st.depth).map((b) => `k${b.kernel}e${b.expand} w${b.wbits}a${b.abits}`);
      return `d${st.depth} w${st.width} [${blocks.join(', ')}]`;
    });
    const macs = this.layers(x).reduce((s, l) => s + layerMacs(l), 0);
    return [`r${x.resolution}`, ...stages, `${(macs / 1e6).toFixed(2)}M MACs`].join(' | ');
  }

  /** Validates, then maps to the genome (choice indices), padding omitted inactive blocks. */
  private genome(x: MbconvArch): number[] {
    return toGenome(this.config, this.validate(x));
  }
}

export function createMbconvSpace(config: unknown = {}): MbconvSpace {
  return new MbconvSpace(config);
}
