/**
 * The mbconv architecture JSON and its genome.
 *
 * Shape (plain JSON, every value one of the config's choices):
 *   { "resolution": 28,
 *     "stages": [ { "depth": 2, "width": 0.75,
 *                   "blocks": [ { "kernel": 5, "expand": 4, "wbits": 8, "abits": 8 }, ... ] }, ... ] }
 * `stages` has one entry per configured stage. `blocks` holds between `depth` and maxDepth entries;
 * only the first `depth` count (OFA's elastic depth keeps the first d blocks). Operators always
 * return maxDepth blocks so depth can grow under mutation without inventing settings; hand-written
 * JSON may omit the inactive blocks.
 *
 * Genome (choice indices): [resolution, per stage: depth, width, per block: kernel, expand, wbits, abits].
 */
import { InvalidArchError } from '../core/errors.ts';
import type { Arity } from '../core/space/genome.ts';
import { choiceIndex } from '../core/space/genome.ts';
import type { MbconvConfig } from './mbconv-config.ts';

export type MbconvBlock = {
  readonly kernel: number;
  readonly expand: number;
  readonly wbits: number;
  readonly abits: number;
};
export type MbconvStage = { readonly depth: number; readonly width: number; readonly blocks: readonly MbconvBlock[] };
export type MbconvArch = { readonly resolution: number; readonly stages: readonly MbconvStage[] };

const BLOCK_FIELDS = ['kernel', 'expand', 'wbits', 'abits'] as const;
const GENES_PER_BLOCK = BLOCK_FIELDS.length;

function blockChoices(cfg: MbconvConfig): readonly (readonly number[])[] {
  return [cfg.kernels, cfg.expands, cfg.weightBits, cfg.activationBits];
}

function genesPerStage(cfg: MbconvConfig): number {
  return 2 + cfg.maxDepth * GENES_PER_BLOCK;
}

export function genomeArity(cfg: MbconvConfig): Arity {
  const stage = [cfg.depths.length, cfg.widths.length];
  for (let b = 0; b < cfg.maxDepth; b++) stage.push(...blockChoices(cfg).map((c) => c.length));
  return [cfg.resolutions.length, ...cfg.stages.flatMap(() => stage)];
}

/** Which genes change the network: block genes only within their stage's depth. */
export function activeGenes(cfg: MbconvConfig, genome: readonly number[]): boolean[] {
  const active = [true];
  cfg.stages.forEach((_, s) => {
    const base = 1 + s * genesPerStage(cfg);
    const depth = cfg.depths[genome[base] as number] as number;
    active.push(true, true);
    for (let b = 0; b < cfg.maxDepth; b++) for (let f = 0; f < GENES_PER_BLOCK; f++) active.push(b < depth);
  });
  return active;
}

/** Genome of a validated arch; missing inactive blocks repeat the last active block. */
export function toGenome(cfg: MbconvConfig, x: MbconvArch): number[] {
  const g = [cfg.resolutions.indexOf(x.resolution)];
  x.stages.forEach((st) => {
    g.push(cfg.depths.indexOf(st.depth), cfg.widths.indexOf(st.width));
    for (let b = 0; b < cfg.maxDepth; b++) {
      const blk = (st.blocks[b] ?? st.blocks[st.blocks.length - 1]) as MbconvBlock;
      blockChoices(cfg).forEach((c, f) => g.push(c.indexOf(blk[BLOCK_FIELDS[f] as keyof MbconvBlock])));
    }
  });
  return g;
}

export function fromGenome(cfg: MbconvConfig, g: readonly number[]): MbconvArch {
  const per = genesPerStage(cfg);
  const stages = cfg.stages.map((_, s): MbconvStage => {
    const base = 1 + s * per;
    const blocks: MbconvBlock[] = [];
    for (let b = 0; b < cfg.maxDepth; b++) {
      const at = base + 2 + b * GENES_PER_BLOCK;
      blocks.push({
        kernel: cfg.kernels[g[at] as number] as number,
        expand: cfg.expands[g[at + 1] as number] as number,
        wbits: cfg.weightBits[g[at + 2] as number] as number,
        abits: cfg.activationBits[g[at + 3] as number] as number,
      });
    }
    return { depth: cfg.depths[g[base] as number] as number, width: cfg.widths[g[base + 1] as number] as number, blocks };
  });
  return { resolution: cfg.resolutions[g[0] as number] as number, stages };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkKeys(x: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(x)) {
    if (!allowed.includes(k)) throw new InvalidArchError(at ? `${at}.${k}` : k, x[k], 'is not a field of an mbconv arch');
  }
  for (const k of allowed) {
    if (!(k in x)) throw new InvalidArchError(at ? `${at}.${k}` : k, undefined, 'is missing');
  }
}

/** Throws InvalidArchError naming the first offending field, e.g. `stages[2].blocks[1].kernel`. */
export function validateMbconv(cfg: MbconvConfig, x: unknown): MbconvArch {
  if (!isRecord(x)) throw new InvalidArchError('arch', x, 'must be an object');
  checkKeys(x, ['resolution', 'stages'], '');
  choiceIndex(cfg.resolutions, x.resolution, 'resolution');
  const stages = x.stages;
  if (!Array.isArray(stages) || stages.length !== cfg.stages.length) {
    throw new InvalidArchError('stages', stages, `must be an array of ${cfg.stages.length} stages`);
  }
  stages.forEach((st: unknown, s) => {
    const at = `stages[${s}]`;
    if (!isRecord(st)) throw new InvalidArchError(at, st, 'must be an object');
    checkKeys(st, ['depth', 'width', 'blocks'], at);
    choiceIndex(cfg.depths, st.depth, `${at}.depth`);
    choiceIndex(cfg.widths, st.width, `${at}.width`);
    const blocks = st.blocks;
    const depth = st.depth as number;
    if (!Array.isArray(blocks) || blocks.length < depth || blocks.length > cfg.maxDepth) {
      throw new InvalidArchError(`${at}.blocks`, blocks, `must be an array of ${depth}..${cfg.maxDepth} blocks (depth ${depth})`);
    }
    blocks.forEach((blk: unknown, b) => {
      const bat = `${at}.blocks[${b}]`;
      if (!isRecord(blk)) throw new InvalidArchError(bat, blk, 'must be an object');
      checkKeys(blk, BLOCK_FIELDS, bat);
      blockChoices(cfg).forEach((c, f) => {
        const field = BLOCK_FIELDS[f] as string;
        choiceIndex(c, blk[field], `${bat}.${field}`);
      });
    });
  });
  return x as MbconvArch;
}

/** Canonical key: resolution, then per stage depth, width and only the active blocks. */
export function mbconvKey(x: MbconvArch): string {
  const parts = [`r${x.resolution}`];
  for (const st of x.stages) {
    const blocks = st.blocks.slice(0, st.depth).map((b) => `k${b.kernel}e${b.expand}w${b.wbits}a${b.abits}`);
    parts.push(`d${st.depth}x${st.width}:${blocks.join(',')}`);
  }
  return parts.join('|');
}

/** The arch built from the largest (pick = max) or smallest (pick = min) value of every choice. */
export function extremeArch(cfg: MbconvConfig, pick: (values: readonly number[]) => number): MbconvArch {
  const block: MbconvBlock = {
    kernel: pick(cfg.kernels),
    expand: pick(cfg.expands),
    wbits: pick(cfg.weightBits),
    abits: pick(cfg.activationBits),
  };
  return {
    resolution: pick(cfg.resolutions),
    stages: cfg.stages.map(() => ({
      depth: pick(cfg.depths),
      width: pick(cfg.widths),
      blocks: Array.from({ length: cfg.maxDepth }, () => ({ ...block })),
    })),
  };
}
