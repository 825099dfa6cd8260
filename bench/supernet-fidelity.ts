/**
 * Supernet quality report (issue 3 item 6): test accuracy of the largest and smallest subnets, and the
 * rank fidelity of weight sharing — Kendall τ between supernet-inherited validation accuracy and the
 * validation accuracy of the same subnets trained stand-alone from scratch with one short budget each.
 *
 * The stand-alone runs are the product's own command (`nas supernet train --subnet FILE`), one child
 * process per subnet, `--jobs` at a time so both cores work; each writes a checkpoint under --work and a
 * rerun reuses finished ones, so an interrupted report resumes instead of starting over.
 *
 * Which subnets: `--pick spread` (default) draws random subnets and keeps one per MACs quantile, so the
 * sample covers the space's cost range (stratified random sampling); `--pick random` keeps the first
 * distinct draws. Random draws from this space cluster around its median cost, where inherited
 * accuracies differ by less than their measurement noise and τ says nothing; a search, though, has to
 * rank subnets across the whole range. `--float` compares the architectures without quantisation: the
 * stand-alone runs train in float and both sides are scored in float, isolating what weight sharing does
 * to the ranking of structures from what post-training quantisation does to it.
 *
 * Usage: npx tsx bench/supernet-fidelity.ts --checkpoint DIR [--subnets 8] [--epochs 2]
 *          [--train-limit 30000] [--jobs 2] [--work DIR] [--seed fidelity] [--pick spread|random]
 *          [--qat | --float]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initTf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { kendallTau } from '../core/stats.ts';
import { loadDataset } from '../datasets/registry.ts';
import { subset } from '../datasets/types.ts';
import type { Normalisation } from '../supernet/batches.ts';
import type { MbconvSupernet } from '../supernet/mbconv-supernet.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { hasCheckpoint, loadSupernet, readTrainState } from '../supernet/checkpoint.ts';
import { evaluateSubnet } from '../supernet/evaluate.ts';
import type { TrainConfig } from '../supernet/train.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import { sampleDistinct } from '../core/space/space.ts';
import { layerMacs } from '../core/types.ts';
import { installKernels } from '../runtime/kernels/install.ts';
installKernels();

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    subnets: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '2' },
    'train-limit': { type: 'string', default: '30000' },
    jobs: { type: 'string', default: '2' },
    work: { type: 'string', default: './fidelity-work' },
    seed: { type: 'string', default: 'fidelity' },
    backend: { type: 'string' },
    /** Stand-alone runs quantisation-aware too: the baseline for a QAT-trained supernet. */
    qat: { type: 'boolean', default: false },
    float: { type: 'boolean', default: false },
    pick: { type: 'string', default: 'spread' },
  },
});
if (!values.checkpoint) throw new Error('--checkpoint DIR is required (a directory written by `nas supernet train`)');
const rt = await initTf(values.backend);
const work = resolve(values.work);
mkdirSync(work, { recursive: true });
const state = readTrainState<Partial<TrainConfig>>(values.checkpoint);
const space = new MbconvSpace(state.spaceConfig);
console.log(`backend ${rt.backend}; checkpoint ${values.checkpoint} (${state.dataset}, ${state.epochsDone} epochs)`);

if (values.qat && values.float) throw new Error('--qat and --float exclude each other: --float compares float-trained, float-scored subnets');
if (values.pick !== 'spread' && values.pick !== 'random') throw new Error(`--pick ${values.pick}: must be spread or random`);
const count = Number(values.subnets);
const macs = (a: MbconvArch) => space.layers(a).reduce((s, l) => s + layerMacs(l), 0);
/** One subnet per MACs quantile out of 50 random draws per subnet: a random sample that spans the cost range. */
function spread(): MbconvArch[] {
  const pool = sampleDistinct(space, new Rng(`${values.seed}:pool`), 50 * count).map((a) => ({ a, m: macs(a) })).sort((x, y) => x.m - y.m);
  return Array.from({ length: count }, (_, i) => (pool[Math.floor(((i + 0.5) / count) * pool.length)] as { a: MbconvArch }).a);
}
const subnets = values.pick === 'spread' ? spread() : sampleDistinct(space, new Rng(values.seed), count);
const quantize = !values.float;

// one folder per subnet, pick and budget, so a rerun with another protocol never reuses a run
const runDir = (i: number) => join(work, `${values.pick === 'spread' ? 'spread-' : ''}subnet-${i}-e${values.epochs}-n${values['train-limit']}${values.qat ? '-qat' : ''}`);

function trainAlone(i: number): Promise<void> {
  const dir = runDir(i);
  if (hasCheckpoint(dir) && readTrainState(dir).epochsDone >= Number(values.epochs)) return Promise.resolve();
  const file = join(work, `${values.pick === 'spread' ? 'spread-' : ''}subnet-${i}.json`);
  writeFileSync(file, JSON.stringify(subnets[i]));
  const spaceFile = join(work, 'space.json');
  writeFileSync(spaceFile, JSON.stringify(state.spaceConfig));
  const args = ['bin/nas.js', 'supernet', 'train', '--dataset', state.dataset, '--subnet', file, '--space-config', spaceFile, '--out', dir,
    '--epochs', values.epochs as string, '--train-limit', values['train-limit'] as string, '--seed', `${values.seed}:${i}`,
    '--db', join(work, 'standalone.db'), '--json', ...(values.qat ? ['--qat'] : []), ...(existsSync(dir) ? ['--resume'] : []),
    // the supernet's own sharding (BN batch statistics per shard are part of the recipe); the cores
    // are shared between the parallel jobs
    '--shards', String(state.options.shards ?? 1), '--workers', String(Math.max(1, Math.floor(availableParallelism() / Number(values.jobs))))];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`stand-alone training of subnet ${i} exited with ${code}`))));
  });
}

const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: Number(values.jobs) }, async () => {
  while (next < subnets.length) {
    const i = next++;
    await trainAlone(i);
    console.log(`  stand-alone subnet ${i} done (${((performance.now() - t0) / 60000).toFixed(1)} min)`);
  }
}));

// stand-alone runs first (the long part, resumable); then the supernet, so the report reflects the
// checkpoint as it is when the runs end
const { net } = loadSupernet(values.checkpoint);
const data = loadDataset(state.dataset);
const evalData = { train: data.train, val: data.val, norm: state.norm };
const testData = { train: data.train, val: data.test, norm: state.norm };
const largest = evaluateSubnet(net, space.largest(), testData).accuracy;
const smallest = evaluateSubnet(net, space.smallest(), testData).accuracy;
console.log(`test accuracy (${data.test.n} images): largest ${(100 * largest).toFixed(2)} %, smallest ${(100 * smallest).toFixed(2)} %`);
// where the smallest subnet's accuracy goes: its float version and each half of its W4A4 quantisation
const s0 = space.smallest();
const withBits = (w: number | null, a: number | null) => ({
  ...s0, stages: s0.stages.map((st) => ({ ...st, blocks: st.blocks.map((b) => ({ ...b, ...(w ? { wbits: w } : {}), ...(a ? { abits: a } : {}) })) })),
});
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
console.log(`smallest on test: float ${pct(evaluateSubnet(net, s0, testData, { quantize: false }).accuracy)}, W4A8 ${pct(evaluateSubnet(net, withBits(null, 8), testData).accuracy)}, W8A4 ${pct(evaluateSubnet(net, withBits(8, null), testData).accuracy)}`);
// Each subnet is scored on the whole validation split and, to measure how much of the τ below is
// measurement noise, on its two halves with other calibration images.
const half = Math.floor(data.val.n / 2);
const halves = [subset(data.val, Array.from({ length: half }, (_, i) => i)), subset(data.val, Array.from({ length: data.val.n - half }, (_, i) => half + i))];
const score = (model: MbconvSupernet, a: MbconvArch, norm: Normalisation): [number, number, number] => [
  evaluateSubnet(model, a, { ...evalData, norm }, { quantize }).accuracy,
  ...halves.map((v, p) => evaluateSubnet(model, a, { ...evalData, val: v, norm }, { seed: `half${p}`, quantize }).accuracy) as [number, number],
];
const inheritedAll = subnets.map((a) => score(net, a, state.norm));
net.dispose();
// re-scored now rather than read from the runs' records: both sides must go through the same
// evaluation code (calibration, quantisation), which may have changed since a run was trained
const aloneAll = subnets.map((a, i) => {
  const run = loadSupernet(runDir(i));
  try {
    return score(run.net, a, run.state.norm);
  } finally {
    run.net.dispose();
  }
});
const inherited = inheritedAll.map((s) => s[0]);
const alone = aloneAll.map((s) => s[0]);

console.log(`\n${'#'.padStart(2)}  ${'inherited'.padStart(9)}  ${'alone'.padStart(7)}  subnet`);
subnets.forEach((a, i) => console.log(`${String(i).padStart(2)}  ${(100 * (inherited[i] as number)).toFixed(2).padStart(9)}  ${(100 * (alone[i] as number)).toFixed(2).padStart(7)}  ${space.describe(a)}`));
console.log(`\nKendall τ (supernet-inherited vs stand-alone, ${subnets.length} ${values.pick === 'spread' ? 'cost-stratified' : 'random'} subnets, ${quantize ? 'quantised at their bits' : 'float'}, val ${data.val.n} images): ${kendallTau(inherited, alone).toFixed(3)}`);
const selfTau = (all: readonly [number, number, number][]) => kendallTau(all.map((s) => s[1]), all.map((s) => s[2]));
const inheritedSelf = selfTau(inheritedAll);
const aloneSelf = selfTau(aloneAll);
console.log(`noise ceiling — τ between the two halves of the validation split (${half} images each, other calibration images): supernet ${inheritedSelf.toFixed(3)}, stand-alone ${aloneSelf.toFixed(3)}`);
console.log(`spread of the scores: inherited ${(100 * Math.min(...inherited)).toFixed(2)}–${(100 * Math.max(...inherited)).toFixed(2)} %, stand-alone ${(100 * Math.min(...alone)).toFixed(2)}–${(100 * Math.max(...alone)).toFixed(2)} %`);
console.log(`Kendall τ of MACs against: inherited ${kendallTau(subnets.map(macs), inherited).toFixed(3)}, stand-alone ${kendallTau(subnets.map(macs), alone).toFixed(3)} (how much of the ranking is just size)`);
console.log(`stand-alone budget: ${values.epochs} epochs × ${values['train-limit']} images each, same recipe as the supernet (labels only${values.qat ? ', quantisation-aware' : ''})`);
