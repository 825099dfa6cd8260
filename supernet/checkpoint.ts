/**
 * A supernet checkpoint directory:
 *   weights.eN.bin    — every parameter after epoch N (params.ts binary format)
 *   optimizer.eN.bin  — SGD velocities, same format
 *   state.json        — space config, normalisation, training options, epochs done, global step, the
 *                       training Rng's state and per-epoch history, plus the names and sha256 of both
 *                       .bin files.
 * Each epoch writes new .bin files under new names, then replaces state.json atomically, then deletes
 * the previous epoch's files: a kill -9 at any moment leaves a state.json whose files exist and match
 * (the previous epoch's or the new one's), so `--resume` always works and continues bit for bit.
 * Checkpoints without file names in state.json (weights.bin / optimizer.bin) still load.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { Rng, type RngState } from '../core/rng.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import type { Normalisation } from './batches.ts';
import { MbconvSupernet, type SupernetOptions } from './mbconv-supernet.ts';
import type { Sgd } from './optimizer.ts';
import { packTensors, sha256, unpackTensors } from './params.ts';

export const WEIGHTS_FILE = 'weights.bin';
export const OPTIMIZER_FILE = 'optimizer.bin';
export const STATE_FILE = 'state.json';
export const CHECKPOINT_VERSION = 1;

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  /** Training accuracy of the largest subnet over the epoch (with augmentation). */
  readonly trainAccuracy: number;
  readonly valAccuracyLargest: number;
  readonly valAccuracySmallest: number;
  readonly imagesPerSecond: number;
  readonly seconds: number;
}

export interface TrainState<O = unknown> {
  readonly version: number;
  readonly dataset: string;
  /** The mbconv space configuration as parsed (rebuilds the same supernet). */
  readonly spaceConfig: unknown;
  readonly supernetOptions: SupernetOptions;
  readonly norm: Normalisation;
  readonly options: O;
  readonly epochsDone: number;
  readonly step: number;
  readonly rng: RngState;
  readonly history: readonly EpochRecord[];
  readonly weightsSha256: string;
  readonly optimizerSha256: string;
  /** File names inside the directory (absent in older checkpoints: WEIGHTS_FILE / OPTIMIZER_FILE). */
  readonly weightsFile?: string;
  readonly optimizerFile?: string;
}

function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Writes the three files; returns the weights path and hash (what the database records). */
export function saveTrainCheckpoint<O>(
  dir: string,
  net: MbconvSupernet,
  sgd: Sgd,
  rng: Rng,
  state: Omit<TrainState<O>, 'version' | 'rng' | 'weightsSha256' | 'optimizerSha256' | 'weightsFile' | 'optimizerFile'>,
): { path: string; sha256: string } {
  mkdirSync(dir, { recursive: true });
  const previous = hasCheckpoint(dir) ? readTrainState(dir) : null;
  const weights = net.params.serialize({ spaceConfig: state.spaceConfig });
  const optimizer = packTensors(sgd.state());
  const full: TrainState<O> = {
    ...state,
    version: CHECKPOINT_VERSION,
    rng: rng.state(),
    weightsSha256: sha256(weights),
    optimizerSha256: sha256(optimizer),
    weightsFile: `weights.e${state.epochsDone}.bin`,
    optimizerFile: `optimizer.e${state.epochsDone}.bin`,
  };
  writeAtomic(join(dir, full.weightsFile as string), weights);
  writeAtomic(join(dir, full.optimizerFile as string), optimizer);
  writeAtomic(join(dir, STATE_FILE), `${JSON.stringify(full, null, 2)}\n`);
  if (previous) {
    for (const old of [previous.weightsFile ?? WEIGHTS_FILE, previous.optimizerFile ?? OPTIMIZER_FILE]) {
      if (old !== full.weightsFile && old !== full.optimizerFile) rmSync(join(dir, old), { force: true });
    }
  }
  return { path: join(dir, full.weightsFile as string), sha256: full.weightsSha256 };
}

/** The weights file a checkpoint's state.json names. */
export function weightsPath(dir: string): string {
  return join(dir, readTrainState(dir).weightsFile ?? WEIGHTS_FILE);
}

/** The space config as the user would write it (without derived fields), for state.json. */
export function spaceConfigJson(space: MbconvSpace): Record<string, unknown> {
  const { maxDepth: _derived, ...input } = space.config;
  return input;
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

export function readTrainState<O = unknown>(dir: string): TrainState<O> {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) throw new ConfigError('checkpoint', dir, `has no ${STATE_FILE}: not a supernet checkpoint directory`);
  let state: TrainState<O>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as TrainState<O>;
  } catch (e) {
    throw new ConfigError('checkpoint', file, `is not valid JSON (${(e as Error).message})`);
  }
  if (state.version !== CHECKPOINT_VERSION) throw new ConfigError('checkpoint', file, `has version ${state.version}, expected ${CHECKPOINT_VERSION}`);
  return state;
}

function readVerified(dir: string, name: string, expected: string): Buffer {
  const file = join(dir, name);
  if (!existsSync(file)) throw new ConfigError('checkpoint', file, 'is missing');
  const buf = readFileSync(file);
  if (sha256(buf) !== expected) throw new ConfigError('checkpoint', file, `sha256 does not match ${STATE_FILE} (interrupted write?)`);
  return buf;
}

/** Rebuilds the supernet of a checkpoint and loads its weights. */
export function loadSupernet<O = unknown>(dir: string): { net: MbconvSupernet; space: MbconvSpace; state: TrainState<O> } {
  const state = readTrainState<O>(dir);
  const space = new MbconvSpace(state.spaceConfig);
  // weights are loaded over the initial values, so the init seed does not matter here
  const net = new MbconvSupernet(space.config, new Rng('checkpoint'), state.supernetOptions);
  try {
    const file = state.weightsFile ?? WEIGHTS_FILE;
    net.params.load(readVerified(dir, file, state.weightsSha256), join(dir, file));
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, space, state };
}

/** Restores SGD velocities saved with the checkpoint. */
export function loadOptimizerState(dir: string, state: TrainState, sgd: Sgd): void {
  const file = state.optimizerFile ?? OPTIMIZER_FILE;
  sgd.restore(unpackTensors(readVerified(dir, file, state.optimizerSha256), join(dir, file)).entries);
}

export function restoreRng(state: TrainState): Rng {
  return Rng.restore(state.rng);
}
