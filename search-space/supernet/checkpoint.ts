/**
 * A supernet checkpoint directory:
 *   weights.bin    — every parameter (params.ts binary format)
 *   optimizer.bin  — SGD velocities, same format
 *   state.json     — space config, normalisation, training options, epochs done, global step, the
 *                    training Rng's state and per-epoch history, plus the sha256 of both .bin files.
 * state.json is written last and names the hashes of the files it belongs to, so a crash between
 * writes is detected on load instead of resuming from mismatched files. Everything `--resume`
 * needs to continue bit for bit is in here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { Rng, type RngState } from '../../core/rng.ts';
import { MbconvSpace } from '../mbconv.ts';
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
  state: Omit<TrainState<O>, 'version' | 'rng' | 'weightsSha256' | 'optimizerSha256'>,
): { path: string; sha256: string } {
  mkdirSync(dir, { recursive: true });
  const weights = net.params.serialize({ spaceConfig: state.spaceConfig });
  const optimizer = packTensors(sgd.state());
  const full: TrainState<O> = {
    ...state,
    version: CHECKPOINT_VERSION,
    rng: rng.state(),
    weightsSha256: sha256(weights),
    optimizerSha256: sha256(optimizer),
  };
  writeAtomic(join(dir, WEIGHTS_FILE), weights);
  writeAtomic(join(dir, OPTIMIZER_FILE), optimizer);
  writeAtomic(join(dir, STATE_FILE), `${JSON.stringify(full, null, 2)}\n`);
  return { path: join(dir, WEIGHTS_FILE), sha256: full.weightsSha256 };
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
    net.params.load(readVerified(dir, WEIGHTS_FILE, state.weightsSha256), join(dir, WEIGHTS_FILE));
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, space, state };
}

/** Restores SGD velocities saved with the checkpoint. */
export function loadOptimizerState(dir: string, state: TrainState, sgd: Sgd): void {
  const buf = readVerified(dir, OPTIMIZER_FILE, state.optimizerSha256);
  sgd.restore(unpackTensors(buf, join(dir, OPTIMIZER_FILE)).entries);
}

export function restoreRng(state: TrainState): Rng {
  return Rng.restore(state.rng);
}
