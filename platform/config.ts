/**
 * The experiment file (YAML or JSON) that `nas search` runs: which network space, how accuracy is
 * measured, which accelerator (a preset, or searched jointly), the strategy and its options,
 * objectives, hard constraints and budget. Validated with zod at the edge; errors name the field.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { parseConfig } from '../search-space/config-schema.ts';

const NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** `area(eyeriss)`: a preset's area, so budgets follow the area model instead of hard-coding its figure. */
export const AREA_OF = /^area\(([A-Za-z0-9_-]+)\)$/;

export const experimentSchema = z.strictObject({
  name: z.string().regex(NAME, 'letters, digits, . _ - (1–100 characters)').optional(),
  seed: z.number().int().min(0).default(0),
  space: z.enum(['mbconv', 'nb201']).default('mbconv'),
  /** Options of the network space (e.g. reduced mbconv choices). */
  spaceConfig: z.record(z.string(), z.unknown()).optional(),
  accuracy: z
    .strictObject({
      /** nb201: the NAS-Bench-201 table; predictor: the latest stored accuracy predictor of the space;
       *  naswot: the NASWOT zero-cost proxy on a Fashion-MNIST minibatch (a score, not a percentage);
       *  supernet: inherited weights + BN recalibration on the validation split. */
      source: z.enum(['nb201', 'predictor', 'naswot', 'supernet']),
      /** supernet: checkpoint directory written by `nas supernet train` (default: the one shipped in models/). */
      checkpoint: z.string().optional(),
      /** supernet: validation images each subnet is scored on (the Fashion-MNIST split holds 5,000). */
      valLimit: z.number().int().min(10).default(5000),
      calibImages: z.number().int().min(8).default(256),
      nb201Dataset: z.enum(['cifar10', 'cifar100', 'imagenet16-120']).default('cifar10'),
      nb201Csv: z.string().optional(),
      batch: z.number().int().min(2).max(256).default(32),
      /** supernet: worker threads scoring a step's subnets in parallel (default: the machine's cores).
       *  Left out of the defaults on purpose: it changes speed, never results, so a resumed
       *  experiment takes the cores of the machine it resumes on. */
      workers: z.number().int().min(1).max(64).optional(),
    })
    .optional(),
  hardware: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('none') }),
      z.strictObject({ mode: z.literal('preset'), preset: z.string() }),
      z.strictObject({
        mode: z.literal('joint'),
        /** mm², or `area(PRESET)`: the area of a preset accelerator under today's area model (e.g. `area(eyeriss)`). */
        areaBudgetMm2: z.union([z.number().positive(), z.string().regex(AREA_OF, 'a number of mm² or area(PRESET), e.g. area(eyeriss)')]).optional(),
      }),
    ])
    .default({ mode: 'joint' }),
  strategy: z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()).default({}) }).default({ name: 'nsga2', options: {} }),
  /** Objective names, optionally prefixed with ↑/↓ or max:/min: to override the default direction. */
  objectives: z.array(z.string()).min(1).max(4),
  constraints: z.array(z.string()).default([]),
  budget: z.number().int().min(1).max(1_000_000),
  batch: z.number().int().min(1).max(1024).default(8),
});

export type ExperimentConfig = z.output<typeof experimentSchema>;

export function parseExperiment(input: unknown): ExperimentConfig {
  return parseConfig(experimentSchema, input, 'experiment');
}

export async function readExperimentFile(path: string): Promise<ExperimentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', path, `cannot read the experiment file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new ConfigError('--config', path, `not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('--config', path, 'must contain a mapping of experiment fields');
  return parseExperiment(doc);
}
