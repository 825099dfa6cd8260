/**
 * Configuration of the mbconv space (DESIGN.md §4), validated with zod. The defaults are the
 * `mbconv` space the product searches; tests build reduced configurations to brute-force `size()`.
 *
 * Channel choices for 28×28 Fashion-MNIST: a stride-2 stem of 16 channels, then stage strides
 * 1,2,2,1 end at 4×4 (3×3 at resolution 20). The first cut used a stride-1 stem to keep stage 0 at
 * 28×28, but supernet training then ran at 16 img/s (a sandwich epoch ≈ 60 min on 2 cores, 4× the
 * 15-minute goal); with the stride-2 stem it runs at 54–79 img/s (bench/supernet.ts, batch 32–64)
 * and still learns the texture classes (measured accuracy in the README). Base widths 16/24/40/64
 * follow the MobileNetV3/OFA progression scaled to a 10-class grey-scale task; the largest subnet
 * costs ≈ 10 M MACs at 28×28 (see the layers test).
 * Channel counts are rounded to multiples of 4, not MobileNet's 8: with 8, 16×0.75 = 12 rounds up
 * to 16 and two width choices would collapse onto one network; 4 still fills 128-bit SIMD lanes.
 */
import { z } from 'zod';
import { bitWidth, choices, parseConfig, positiveInt } from './config-schema.ts';

const stageSchema = z.strictObject({
  /** Output channels at width multiplier 1.0. */
  channels: positiveInt,
  /** Stride of the stage's first block. */
  stride: z.union([z.literal(1), z.literal(2)]),
});

export const mbconvConfigSchema = z.strictObject({
  inputChannels: z.union([z.literal(1), z.literal(3)]).default(1),
  numClasses: z.number().int().min(2).default(10),
  resolutions: choices(z.number().int().min(8)).default([20, 24, 28]),
  /** Depth choices per stage; the arch JSON always carries max(depths) blocks per stage. */
  depths: choices(z.number().int().min(1).max(8)).default([1, 2, 3]),
  widths: choices(z.number().positive().max(4)).default([0.5, 0.75, 1.0]),
  kernels: choices(z.number().int().min(1).max(11).refine((k) => k % 2 === 1, 'kernel sizes must be odd')).default([3, 5, 7]),
  expands: choices(positiveInt.max(12)).default([2, 4, 6]),
  weightBits: choices(bitWidth).default([4, 6, 8]),
  activationBits: choices(bitWidth).default([4, 8]),
  stemChannels: positiveInt.default(16),
  stemStride: z.union([z.literal(1), z.literal(2)]).default(2),
  stages: z
    .array(stageSchema)
    .min(1)
    .default([
      { channels: 16, stride: 1 },
      { channels: 24, stride: 2 },
      { channels: 40, stride: 2 },
      { channels: 64, stride: 1 },
    ]),
  headChannels: positiveInt.default(256),
  /** Bits of the layers outside the searched blocks: stem, head conv, pool and FC. */
  fixedBits: bitWidth.default(8),
  /** Channel counts are rounded to a multiple of this (make-divisible as in MobileNet). */
  channelDivisor: positiveInt.default(4),
});

export type MbconvConfigInput = z.input<typeof mbconvConfigSchema>;
export type MbconvConfig = z.output<typeof mbconvConfigSchema> & { readonly maxDepth: number };

/** Validates a (partial) config; throws ConfigError naming e.g. `mbconv.stages[1].stride`. */
export function parseMbconvConfig(input: unknown = {}): MbconvConfig {
  const cfg = parseConfig(mbconvConfigSchema, input, 'mbconv');
  return Object.freeze({ ...cfg, maxDepth: Math.max(...cfg.depths) });
}

/**
 * MobileNet's make-divisible rounding: nearest multiple of `d` (at least `d`), bumped up one step
 * when rounding down would lose more than 10 % of the channels.
 */
export function makeDivisible(v: number, d: number): number {
  let r = Math.max(d, Math.floor(v + d / 2) - (Math.floor(v + d / 2) % d));
  if (r < 0.9 * v) r += d;
  return r;
}

/** Output channels of stage `i` at width multiplier `width`. */
export function stageChannels(cfg: MbconvConfig, i: number, width: number): number {
  const base = cfg.stages[i]?.channels ?? 0;
  return makeDivisible(base * width, cfg.channelDivisor);
}
