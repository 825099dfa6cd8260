/**
 * Supernet checkpoint crash drill (issue 8 item 1): train a small supernet with `nas supernet train`,
 * kill -9 it at random moments (mid-step, mid-validation, mid-checkpoint-write — wherever the moment
 * falls), resume with `--resume` each time, and compare the final weights, optimizer state and history
 * with an uninterrupted run of the same seed: they must be byte-identical (history up to timing).
 *
 * Usage: npx tsx test/drills/supernet-crash-drill.ts [--kills 8] [--seed 1] [--epochs 6]
 * Kill delays are drawn from our Rng, spread over the expected remaining time, so a drill is
 * reproducible in where it aims, not in where the signal lands.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../../core/rng.ts';
import { hasCheckpoint, readTrainState, weightsPath } from '../../supernet/checkpoint.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' }, epochs: { type: 'string', default: '6' } } });
const kills = Number(values.kills);
const epochs = Number(values.epochs);
const rng = new Rng(Number(values.seed)).fork('supernet-crash-drill');
const bin = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nas-supernet-drill-'));
const spaceFile = join(dir, 'space.json');
writeFileSync(spaceFile, JSON.stringify({
  resolutions: [12, 16], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2, 3], weightBits: [4, 8], activationBits: [4, 8],
  stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 16, stride: 2 }], headChannels: 16,
}));
const trainArgs = (out: string, resume: boolean) => [
  bin, 'supernet', 'train', '--dataset', 'fashion-mnist', '--train-limit', '1024', '--val-limit', '64', '--batch-size', '32',
  '--epochs', String(epochs), '--seed', 'drill', '--space-config', spaceFile, '--out', out, '--db', join(dir, 'nas.db'), '--json',
  ...(resume ? ['--resume'] : []),
];

function run(out: string, resume: boolean, killAfterMs?: number): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, trainArgs(out, resume), { stdio: 'ignore' });
    let killed = false;
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killed });
    });
  });
}

const reference = join(dir, 'reference');
const t0 = performance.now();
const ref = await run(reference, false);
const refMs = performance.now() - t0;
if (ref.code !== 0) throw new Error(`uninterrupted run failed with exit ${ref.code}`);
console.log(`uninterrupted: ${epochs} epochs in ${(refMs / 1000).toFixed(1)} s`);

const STARTUP_MS = 2000;
const drilled = join(dir, 'drilled');
let landed = 0;
let runs = 0;
while (!(hasCheckpoint(drilled) && readTrainState(drilled).epochsDone >= epochs)) {
  const before = hasCheckpoint(drilled) ? readTrainState(drilled).epochsDone : 0;
  const remaining = refMs * (1 - before / epochs);
  // the CLI needs ~2 s to start (tsx, tfjs, dataset) before training: aim after that
  const delay = landed < kills ? rng.uniform(STARTUP_MS, STARTUP_MS + remaining) : undefined;
  const r = await run(drilled, hasCheckpoint(drilled) || existsSync(join(drilled, 'state.json')), delay);
  runs++;
  if (r.killed) landed++;
  else if (r.code !== 0) throw new Error(`resume after ${landed} kills exited with ${r.code}: the checkpoint did not survive`);
  const after = hasCheckpoint(drilled) ? readTrainState(drilled).epochsDone : 0;
  console.log(`run ${runs}: ${r.killed ? `killed at ${Math.round(delay ?? 0)} ms` : 'finished'}; epochs done ${before} → ${after}`);
  if (runs > kills + epochs + 5) throw new Error('the drill is not converging');
}

const a = readTrainState(reference);
const b = readTrainState(drilled);
const same = (x: string, y: string) => readFileSync(x).equals(readFileSync(y));
const checks = {
  weights: same(weightsPath(reference), weightsPath(drilled)),
  optimizer: a.optimizerSha256 === b.optimizerSha256,
  rng: JSON.stringify(a.rng) === JSON.stringify(b.rng),
  step: a.step === b.step,
  history: JSON.stringify(a.history.map((h) => ({ ...h, imagesPerSecond: 0, seconds: 0 }))) === JSON.stringify(b.history.map((h) => ({ ...h, imagesPerSecond: 0, seconds: 0 }))),
};
console.log(`${landed} kills landed over ${runs} runs; identical to the uninterrupted run: ${JSON.stringify(checks)}`);
if (Object.values(checks).some((ok) => !ok)) {
  console.log('FAIL');
  process.exitCode = 1;
} else console.log('PASS');
