/**
 * Accuracy samples from `nas supernet eval --json` outputs, so subnets can be scored by several
 * processes (one per core) and the predictor fitted on all of them. Every file must come from the
 * same checkpoint (mixing supernets would mix two accuracy scales); a subnet scored twice keeps its
 * last score.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Arch } from '../../core/types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { NetworkSpace } from '../../core/space/space.ts';
import type { AccuracySample } from './accuracy-predictor.ts';

const evalFileSchema = z.object({
  checkpoint: z.string(),
  results: z.array(z.object({ key: z.string(), arch: z.unknown(), accuracy: z.number().min(0).max(1), total: z.number().int().positive().optional() })).min(1),
});

type EvalFile = z.infer<typeof evalFileSchema>;

export interface SupernetScores {
  readonly samples: AccuracySample[];
  /** `supernet:<checkpoint>` as the files name it. */
  readonly source: string;
  /** Validation images behind each score (smallest over the files; absent when the files do not say). */
  readonly valImages?: number;
}

function readEvalFile(file: string, field: string): EvalFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(field, file, `cannot read JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = evalFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${field} ${file} ${issue?.path.join('.') ?? ''}`.trim(), file, `is not \`nas supernet eval --json\` output: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Reads and validates every file; `field` names the option in errors (e.g. '--evals'). */
export function readSupernetScores(space: NetworkSpace<Arch>, files: readonly string[], field = '--evals'): SupernetScores {
  if (files.length === 0) throw new ConfigError(field, '', 'give at least one file');
  const seen = new Map<string, AccuracySample>();
  const checkpoints = new Set<string>();
  let valImages = Infinity;
  for (const file of files) {
    const doc = readEvalFile(file, field);
    checkpoints.add(doc.checkpoint);
    doc.results.forEach((r, i) => {
      let arch: Arch;
      try {
        arch = space.validate(r.arch);
      } catch (e) {
        throw new ConfigError(`${field} ${file} results[${i}].arch`, r.key, (e as Error).message);
      }
      if (r.total !== undefined) valImages = Math.min(valImages, r.total);
      seen.set(space.key(arch), { arch, accuracy: 100 * r.accuracy });
    });
  }
  if (checkpoints.size > 1) throw new ConfigError(field, files.join(','), `mixes checkpoints ${[...checkpoints].join(', ')}: fit on one supernet's scores`);
  return { samples: [...seen.values()], source: `supernet:${[...checkpoints][0]}`, ...(Number.isFinite(valImages) ? { valImages } : {}) };
}
