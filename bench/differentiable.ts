/**
 * Differentiable search speed and outcome on the shipped supernet checkpoint (or any checkpoint):
 * cost-table build time, architecture-gradient steps per second (median over asks), and the derived
 * network's exact cost against the target, next to the largest and smallest networks' costs.
 *
 *   npx tsx bench/differentiable.ts [--checkpoint DIR] [--metric macs_m|energy_uj|hw_latency_ms] [--target X]
 *       [--preset NAME] [--pool K] [--steps 20] [--steps-per-ask 5] [--batch 32] [--loss mul#log|add#linear] [--float]
 */
import { parseArgs } from 'node:util';
import { installKernels } from '../runtime/kernels/install.ts';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { initTf, runtime } from '../runtime/tf.ts';
import { loadDataset } from '../datasets/registry.ts';
import { CostModel } from '../hardware/index.ts';
import { mbconvMetricTable, mbconvRelaxedProblem, sampleAccelPool, type CostSources } from '../estimators/relaxed-mbconv.ts';
import { toGenome } from '../search-space/mbconv-arch.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { loadSupernet } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { Differentiable, differentiableOptions } from '../strategies/differentiable.ts';
installKernels();

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: EMBEDDED_SUPERNET_DIR },
    metric: { type: 'string', default: 'macs_m' },
    target: { type: 'string' },
    preset: { type: 'string', default: 'simple-ws' },
    pool: { type: 'string', default: '0' },
    steps: { type: 'string', default: '20' },
    'steps-per-ask': { type: 'string', default: '5' },
    batch: { type: 'string', default: '32' },
    loss: { type: 'string', default: 'mul#log' },
    float: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
  },
});

await initTf(values.backend);
const { net, space, state } = loadSupernet(values.checkpoint);
const data = loadDataset(state.dataset);
const poolSize = Number(values.pool);
const src: CostSources = { model: new CostModel(), ...(poolSize > 0 ? { pool: sampleAccelPool(new Rng('bench-pool'), poolSize) } : { hw: values.preset }) };

let t0 = performance.now();
const table = mbconvMetricTable(space, values.metric, src);
const buildS = (performance.now() - t0) / 1000;
const problem = mbconvRelaxedProblem({
  space, supernet: net, data: { train: data.train, norm: state.norm }, tables: [table], quantize: !values.float, ...(src.pool ? { pool: src.pool } : {}),
});
const atHw0 = (arch: MbconvArch) => [...toGenome(space.config, arch), ...(poolSize > 0 ? [0] : [])];
const largest = problem.cost(values.metric, atHw0(space.largest()));
const smallest = problem.cost(values.metric, atHw0(space.smallest()));
const target = values.target ? Number(values.target) : Math.sqrt(largest * smallest);

const perAsk = Number(values['steps-per-ask']);
const strategy = new Differentiable<MbconvArch>(
  { space, objectives: [{ name: values.metric, direction: 'min' }], rng: new Rng('bench-differentiable'), relaxed: problem as never },
  differentiableOptions.parse({ stepsPerAsk: perAsk, batchSize: Number(values.batch), loss: values.loss, costs: { [values.metric]: target }, learningRate: 0.05, temperature: { start: 5, end: 0.5, steps: Number(values.steps) } }),
);
const rates: number[] = [];
for (let done = 0; done < Number(values.steps); done += perAsk) {
  t0 = performance.now();
  strategy.ask(1);
  rates.push(perAsk / ((performance.now() - t0) / 1000));
}
const derived = strategy.derived();
const f = strategy.figures();
const fmt = (x: number) => x.toPrecision(4);
console.log(`backend ${runtime().backend}, checkpoint ${values.checkpoint}, batch ${values.batch}, ${values.float ? 'float' : 'fake-quantised'} relaxed forward`);
console.log(`cost table ${values.metric}: ${table.terms.length} terms, ${table.terms.reduce((s, t) => s + t.table.length, 0)} entries, built in ${buildS.toFixed(2)} s`);
console.log(`steps/s median ${fmt(summarize(rates).median)} (${rates.length} asks × ${perAsk} steps)`);
console.log(`${values.metric}: largest ${fmt(largest)}, smallest ${fmt(smallest)}, target ${fmt(target)}`);
console.log(`after ${f?.step} steps: CE ${fmt(f?.crossEntropy ?? NaN)}, E[${values.metric}] ${fmt(f?.expected[values.metric] ?? NaN)}, derived ${fmt(problem.cost(values.metric, derived))} (${(problem.cost(values.metric, derived) / target).toFixed(2)}× target)`);
const x = problem.decode(derived);
const arch = (poolSize > 0 ? x['arch'] : x) as MbconvArch;
console.log(`derived: ${space.key(arch)}${poolSize > 0 ? ` on ${JSON.stringify(x['hw'])}` : ''}`);
problem.dispose();
net.dispose();
