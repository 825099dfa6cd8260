/**
 * The concrete shape of one mbconv subnet as the supernet executes it (active blocks with their
 * input/hidden/output channels, kernel, stride and bits), and the max shapes the supernet allocates.
 * Channel arithmetic is the search space's own (mbconv-config.ts), so the supernet, `layers(arch)`
 * and the extracted model always agree on every layer's size.
 */
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import type { MbconvConfig } from '../search-space/mbconv-config.ts';
import { makeDivisible, stageChannels } from '../search-space/mbconv-config.ts';

export interface ActiveBlock {
  /** Parameter prefix, e.g. 'stage2.block1'. */
  readonly name: string;
  readonly cin: number;
  readonly hidden: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly residual: boolean;
  readonly wbits: number;
  readonly abits: number;
}

export interface SubnetPlan {
  readonly resolution: number;
  readonly blocks: readonly ActiveBlock[];
  /** Channels entering the head conv (last stage output). */
  readonly headIn: number;
}

export function subnetPlan(cfg: MbconvConfig, arch: MbconvArch): SubnetPlan {
  const blocks: ActiveBlock[] = [];
  let cin = cfg.stemChannels;
  arch.stages.forEach((st, s) => {
    const cout = stageChannels(cfg, s, st.width);
    for (let b = 0; b < st.depth; b++) {
      const blk = st.blocks[b];
      if (!blk) throw new Error(`stage ${s} has depth ${st.depth} but only ${st.blocks.length} blocks`);
      const stride = b === 0 ? (cfg.stages[s]?.stride ?? 1) : 1;
      blocks.push({
        name: `stage${s}.block${b}`,
        cin,
        hidden: makeDivisible(cin * blk.expand, cfg.channelDivisor),
        cout,
        kernel: blk.kernel,
        stride,
        residual: stride === 1 && cin === cout,
        wbits: blk.wbits,
        abits: blk.abits,
      });
      cin = cout;
    }
  });
  return { resolution: arch.resolution, blocks, headIn: cin };
}

export interface MaxBlock {
  readonly name: string;
  readonly stage: number;
  readonly index: number;
  readonly cinMax: number;
  readonly hiddenMax: number;
  readonly coutMax: number;
}

/** Max channel counts of every block position over all width and expand choices. */
export function maxBlocks(cfg: MbconvConfig): MaxBlock[] {
  const out: MaxBlock[] = [];
  const widthsOf = (s: number) => cfg.widths.map((w) => stageChannels(cfg, s, w));
  cfg.stages.forEach((_, s) => {
    const couts = widthsOf(s);
    for (let b = 0; b < cfg.maxDepth; b++) {
      // block 0 reads the previous stage (any of its widths); later blocks read this stage's width
      const cins = b === 0 ? (s === 0 ? [cfg.stemChannels] : widthsOf(s - 1)) : couts;
      let hiddenMax = 0;
      for (const c of cins) for (const e of cfg.expands) hiddenMax = Math.max(hiddenMax, makeDivisible(c * e, cfg.channelDivisor));
      out.push({ name: `stage${s}.block${b}`, stage: s, index: b, cinMax: Math.max(...cins), hiddenMax, coutMax: Math.max(...couts) });
    }
  });
  return out;
}

export function maxKernel(cfg: MbconvConfig): number {
  return Math.max(...cfg.kernels);
}

/** Max channels entering the head conv (last stage at its widest). */
export function maxHeadIn(cfg: MbconvConfig): number {
  const last = cfg.stages.length - 1;
  return Math.max(...cfg.widths.map((w) => stageChannels(cfg, last, w)));
}
