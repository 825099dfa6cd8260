/**
 * Passed checkpoint verifications, kept in the cache directory ($NAS_CACHE_DIR/verified, else
 * <project>/.cache/verified) so a second search on the same machine does not re-measure the largest
 * subnet (~20 s on one core). An entry counts only for the same weights (their sha256), dataset
 * (images and labels hashed), tfjs backend, evaluation settings, recorded figure and evaluation code
 * (a hash of core/, datasets/, runtime/, search-space/, supernet/ and package.json): change any of
 * them and the checkpoint is verified again. Delete the folder to force it. Only a passed check is
 * kept; the provenance says it was cached, and from when.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from '../../core/source-hash.ts';
import type { ImageDataset } from '../../datasets/types.ts';
import type { AccuracyCheck } from '../../supernet/verify.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Folders whose code decides a subnet's score (layers, kernels, data, calibration, evaluation). */
const EVAL_CODE = ['core', 'datasets', 'runtime', 'search-space', 'supernet'];

export function verificationCacheDir(): string {
  return join(process.env.NAS_CACHE_DIR || fileURLToPath(new URL('../../.cache', import.meta.url)), 'verified');
}

let code: string | undefined;
/** Hash of the evaluation code and the pinned packages (package.json), once per process. */
export function evaluationCodeHash(): string {
  code ??= createHash('sha256').update(sourceHash(ROOT, EVAL_CODE)).update(readFileSync(join(ROOT, 'package.json'))).digest('hex');
  return code;
}

export function datasetHash(sets: readonly ImageDataset[]): string {
  const h = createHash('sha256');
  for (const d of sets) h.update(`${d.name}:${d.n}:${d.height}x${d.width}x${d.channels}\0`).update(d.images).update(d.labels);
  return h.digest('hex');
}

/** What a verification's figure depends on; equal inputs give the same figure. */
export interface VerificationInputs {
  readonly weightsSha256: string;
  readonly dataset: string;
  readonly backend: string;
  readonly code: string;
  /** Evaluation options, normalisation, recorded figure and epoch: anything else the check reads. */
  readonly settings: unknown;
}

export interface CachedCheck extends AccuracyCheck {
  /** ISO time of the verification this entry records. */
  readonly cachedFrom: string;
}

const keyOf = (inputs: VerificationInputs) => createHash('sha256').update(JSON.stringify(inputs)).digest('hex');

/** The passed verification stored for these inputs, or null (none, unreadable or not matching). */
export function cachedVerification(inputs: VerificationInputs, dir = verificationCacheDir()): CachedCheck | null {
  try {
    const e = JSON.parse(readFileSync(join(dir, `${keyOf(inputs)}.json`), 'utf8')) as { inputs: unknown; check: AccuracyCheck; at: string };
    if (JSON.stringify(e.inputs) !== JSON.stringify(inputs)) return null;
    const { recorded, measured, images, epochs } = e.check;
    if (![recorded, measured, images, epochs].every((v) => typeof v === 'number' && Number.isFinite(v)) || typeof e.at !== 'string') return null;
    return { recorded, measured, images, epochs, cachedFrom: e.at };
  } catch {
    return null;
  }
}

/** Keeps a passed verification (atomically); a cache directory that cannot be written only means verifying again next time. */
export function storeVerification(inputs: VerificationInputs, check: AccuracyCheck, dir = verificationCacheDir(), at = new Date()): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${keyOf(inputs)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ inputs, check, at: at.toISOString() }, null, 1)}\n`);
    renameSync(tmp, file);
  } catch {
    // read-only or full cache directory: nothing is lost but the time saved
  }
}
