/** Configuration of the NAS-Bench-201 macro skeleton used to lower cells to layers. */
import { z } from 'zod';
import { bitWidth, parseConfig, positiveInt } from './config-schema.ts';
import { NB201_DATASETS } from './nb201-csv.ts';
import type { Nb201Dataset } from './nb201-csv.ts';

const DATASET_SHAPE: Readonly<Record<Nb201Dataset, { numClasses: number; resolution: number }>> = {
  cifar10: { numClasses: 10, resolution: 32 },
  cifar100: { numClasses: 100, resolution: 32 },
  'imagenet16-120': { numClasses: 120, resolution: 16 },
};

export const nb201ConfigSchema = z.strictObject({
  /** Sets numClasses and resolution (CIFAR 32×32, ImageNet16-120 16×16) unless given explicitly. */
  dataset: z.enum(NB201_DATASETS).default('cifar10'),
  numClasses: z.number().int().min(2).optional(),
  resolution: z.number().int().min(4).optional(),
  inputChannels: positiveInt.default(3),
  /** Channels of the stem and first stage; each later stage doubles them (16/32/64 in NB201). */
  stemChannels: positiveInt.default(16),
  stages: positiveInt.max(6).default(3),
  cellsPerStage: positiveInt.default(5),
  /** Bit-width of every weight and activation (the benchmark nets are not quantised: 8 for int8 deployment). */
  bits: bitWidth.default(8),
  /**
   * false (default): every non-'none' edge is computed, as the reference implementation does (and as
   * its FLOP counts assume). true: drop edges whose result cannot reach the cell output or that read
   * a node cut off from the input, as a graph compiler would.
   */
  prune: z.boolean().default(false),
});

export type Nb201Config = Omit<z.output<typeof nb201ConfigSchema>, 'numClasses' | 'resolution'> & {
  readonly numClasses: number;
  readonly resolution: number;
};

export function parseNb201Config(input: unknown = {}): Nb201Config {
  const cfg = parseConfig(nb201ConfigSchema, input, 'nb201');
  const shape = DATASET_SHAPE[cfg.dataset];
  return Object.freeze({
    ...cfg,
    numClasses: cfg.numClasses ?? shape.numClasses,
    resolution: cfg.resolution ?? shape.resolution,
  });
}
