/**
 * Supernet speed on the active backend (default wasm): images/s of one sandwich training step
 * (largest + smallest + 2 random subnets, in-place distillation, SGD update), forward images/s of
 * the largest and smallest subnets, and subnet evaluations/s (BN recalibration + validation).
 * Figures are medians over the timed repetitions.
 *
 * Then the same subnets scored on one core and on a pool of worker threads (both cores).
 *
 *   npx tsx bench/supernet.ts [--backend wasm] [--batch 64] [--steps 5] [--calib 512] [--val 1000]
 *                             [--workers 2] [--pool-archs 8] [--checkpoint DIR]
 */
import { parseArgs } from 'node:util';
import { installKernels } from '../runtime/kernels/install.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { initTf, tf } from '../runtime/tf.ts';
import { loadDataset } from '../datasets/registry.ts';
import { layerMacs } from '../core/types.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import { batchPixels, batchTensor, labelArray, pixelStats } from '../supernet/batches.ts';
import { calibrateSubnet, evaluateSubnet } from '../supernet/evaluate.ts';
import { MbconvSupernet } from '../supernet/mbconv-supernet.ts';
import { Sgd } from '../supernet/optimizer.ts';
import { DEFAULT_SANDWICH, sandwichArchs } from '../supernet/sandwich.ts';
import { parallelSandwichStep } from '../supernet/data-parallel.ts';
import { TrainShardPool } from '../supernet/train-pool.ts';
import { loadSupernet, spaceConfigJson } from '../supernet/checkpoint.ts';
import { SubnetEvalPool } from '../supernet/eval-pool.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
installKernels();

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '5' },
    calib: { type: 'string', default: '512' },
    val: { type: 'string', default: '1000' },
    evals: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'pool-archs': { type: 'string', default: '8' },
    checkpoint: { type: 'string', default: EMBEDDED_SUPERNET_DIR },
    /** JSON of mbconv space options, to measure alternatives to the default space. */
    'space-config': { type: 'string', default: '{}' },
  },
});
const batch = Number(values.batch);
const steps = Number(values.steps);

const median = (xs: number[]) => summarize(xs).median;
function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

const rt = await initTf(values.backend);
const data = loadDataset('fashion-mnist');
const space = new MbconvSpace(JSON.parse(values['space-config']) as unknown);
const net = new MbconvSupernet(space.config, new Rng('bench'));
const norm = pixelStats(data.train);
const rng = new Rng('bench-steps');
const members = { largest: space.largest(), smallest: space.smallest(), sample: (r: Rng) => space.sample(r) };
const sgd = new Sgd();
const macs = (a: typeof members.largest) => space.layers(a).reduce((s, l) => s + layerMacs(l), 0);
console.log(`backend ${rt.backend}, batch ${batch}, params ${net.params.count()}`);
console.log(`largest ${(macs(members.largest) / 1e6).toFixed(2)} MMACs/img, smallest ${(macs(members.smallest) / 1e6).toFixed(2)} MMACs/img`);

// Sandwich training steps (largest + smallest + 2 random, in-place distillation, SGD update), all
// variants interleaved step by step so they see the same machine load: float and quantisation-aware
// on the main thread; then the data-parallel step of `nas supernet train` (2 shards, averaged) on the
// main thread alone and with the second shard on a worker thread — the both-cores figure.
const pool2 = new TrainShardPool({ backend: rt.backend, spaceConfig: spaceConfigJson(space), supernetOptions: net.options, threads: Math.max(1, Number(values.workers) - 1) });
const variants = [
  { name: 'float, 1 thread', qat: false, shards: 1, pool: undefined },
  { name: 'QAT, 1 thread', qat: true, shards: 1, pool: undefined },
  { name: 'float, 2 shards, 1 thread', qat: false, shards: 2, pool: undefined },
  { name: `float, 2 shards, ${Number(values.workers)} threads`, qat: false, shards: 2, pool: pool2 },
  { name: `QAT, 2 shards, ${Number(values.workers)} threads`, qat: true, shards: 2, pool: pool2 },
] as const;
const stepTimes = variants.map(() => [] as number[]);
for (let s = 0; s <= steps; s++) {
  // one batch and one set of sampled members per repetition, run by every variant: the members'
  // sizes vary a lot from draw to draw, and each variant must pay for the same ones
  const idx = rng.sampleIndices(data.train.n, batch);
  const shard = {
    pixels: batchPixels(data.train, idx, norm, { flip: true, shift: 2 }, rng), labels: labelArray(data.train, idx),
    height: 28, width: 28, channels: 1, maxResolution: 28,
  };
  const archs = sandwichArchs(members, rng, DEFAULT_SANDWICH.randomSubnets);
  for (const [v, variant] of variants.entries()) {
    const t0 = performance.now();
    const res = await parallelSandwichStep(net, shard, variant.shards, { archs, numClasses: 10, options: { ...DEFAULT_SANDWICH, qat: variant.qat } }, variant.pool);
    sgd.apply(net.params.variables(), res.grads, 0.01);
    tf.dispose(Object.values(res.grads));
    // the first repetition compiles kernels, allocates velocities and starts the worker
    if (s > 0) (stepTimes[v] as number[]).push((performance.now() - t0) / 1000);
  }
}
await pool2.close();
const stepMedians = stepTimes.map(median);
for (const [v, variant] of variants.entries()) {
  const step = stepMedians[v] as number;
  console.log(`sandwich train step, ${variant.name.padEnd(27)}: median ${(step * 1000).toFixed(0)} ms = ${(batch / step).toFixed(1)} images/s` +
    ` → one ${data.train.n.toLocaleString('en')}-image epoch ≈ ${(data.train.n / (batch / step) / 60).toFixed(1)} min` +
    ` (${((stepMedians[0] as number) / step).toFixed(2)}× the float 1-thread step)`);
}
console.log(`  QAT / float step time (1 thread): ${((stepMedians[1] as number) / (stepMedians[0] as number)).toFixed(2)}×`);

for (const [label, arch] of [['largest', members.largest], ['smallest', members.smallest]] as const) {
  const stats = calibrateSubnet(net, arch, { train: data.train, norm }, { calibImages: 128 });
  const x = batchTensor(data.val, batchPixels(data.val, Array.from({ length: batch }, (_, i) => i), norm), batch, arch.resolution);
  const ts: number[] = [];
  for (let r = 0; r < 6; r++) {
    ts.push(time(() => {
      const y = net.forward(x, arch, { kind: 'eval', stats, quantize: true });
      y.dataSync();
      y.dispose();
    }));
  }
  x.dispose();
  const t = median(ts.slice(1));
  console.log(`inference ${label} (quantised): ${(batch / t).toFixed(0)} images/s`);
}

const evalTimes: number[] = [];
const erng = new Rng('bench-eval');
for (let i = 0; i < Number(values.evals); i++) {
  const arch = space.sample(erng);
  evalTimes.push(evaluateSubnet(net, arch, { train: data.train, val: data.val, norm }, { calibImages: Number(values.calib), valLimit: Number(values.val), batchSize: 250 }).seconds);
}
const ev = median(evalTimes);
console.log(`subnet evaluation (calib ${values.calib} + val ${values.val} images): median ${ev.toFixed(2)} s = ${(1 / ev).toFixed(2)} evals/s`);

// Both cores: the same subnets scored in this thread and by a pool of worker threads (one wasm
// instance each), on the shipped checkpoint; runs interleaved, medians side by side.
const poolWorkers = Number(values.workers);
const poolArchs = Array.from({ length: Number(values['pool-archs']) }, ((r) => () => space.sample(r))(new Rng('bench-pool')));
const shipped = loadSupernet(values.checkpoint);
const shippedData = { train: data.train, val: data.val, norm: shipped.state.norm };
const evalOpts = { calibImages: Number(values.calib), valLimit: Number(values.val) };
const pool = new SubnetEvalPool({ checkpoint: values.checkpoint, backend: rt.backend, workers: poolWorkers });
await pool.scoreAll(poolArchs.slice(0, poolWorkers), evalOpts); // workers load tfjs, the supernet and the data once
const oneCore: number[] = [];
const pooled: number[] = [];
for (let r = 0; r < 3; r++) {
  oneCore.push(time(() => { for (const a of poolArchs) evaluateSubnet(shipped.net, a, shippedData, evalOpts); }));
  const t0 = performance.now();
  await pool.scoreAll(poolArchs, evalOpts);
  pooled.push((performance.now() - t0) / 1000);
}
await pool.close();
shipped.net.dispose();
const [a1, ap] = [median(oneCore), median(pooled)];
console.log(`subnet evaluation of ${poolArchs.length} subnets: main thread ${(poolArchs.length / a1).toFixed(2)} evals/s, ` +
  `${poolWorkers} worker threads ${(poolArchs.length / ap).toFixed(2)} evals/s (${(a1 / ap).toFixed(2)}× ; ` +
  `${((poolArchs.length * (Number(values.val) + Number(values.calib))) / ap).toFixed(0)} images/s)`);
sgd.dispose();
net.dispose();
