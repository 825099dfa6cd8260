/**
 * Zero-cost proxy report (issue 5 item 6): Kendall τ of NASWOT, synflow and grad-norm — each computed
 * at initialisation on one Fashion-MNIST training minibatch — against supernet-inherited validation
 * accuracy, over N random subnets of the checkpoint's space. MACs and parameters are printed as the
 * baselines a proxy has to beat.
 *
 * Usage: npx tsx bench/proxies-fidelity.ts [--checkpoint DIR] [--subnets 50] [--batch 32] [--val-limit 2000] [--seed proxies]
 */
import { parseArgs } from 'node:util';
import { initTf, tf } from '../runtime/tf.ts';
import { Rng } from '../core/rng.ts';
import { kendallTau } from '../core/stats.ts';
import { layerMacs } from '../core/types.ts';
import { loadDataset } from '../datasets/registry.ts';
import { batchFloat32 } from '../datasets/types.ts';
import { loadSupernet } from '../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { evaluateSubnet } from '../supernet/evaluate.ts';
import { sampleDistinct } from '../core/space/space.ts';
import { buildInitNetwork } from '../estimators/proxies/init-network.ts';
import { gradNorm, naswot, synflow } from '../estimators/proxies/proxies.ts';
import { installKernels } from '../runtime/kernels/install.ts';
installKernels();

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: EMBEDDED_SUPERNET_DIR },
    subnets: { type: 'string', default: '50' },
    batch: { type: 'string', default: '32' },
    'val-limit': { type: 'string', default: '2000' },
    seed: { type: 'string', default: 'proxies' },
    backend: { type: 'string' },
  },
});
const rt = await initTf(values.backend);
const { net, space, state } = loadSupernet(values.checkpoint as string);
const data = loadDataset(state.dataset);
const batch = Number(values.batch);
const rng = new Rng(values.seed as string);
const archs = sampleDistinct(space, rng, Number(values.subnets));
const idx = rng.fork('minibatch').sampleIndices(data.train.n, batch);
const pixels = batchFloat32(data.train, idx);
const labels = Int32Array.from(idx, (i) => data.train.labels[i] as number);
console.log(`backend ${rt.backend}; ${archs.length} subnets; supernet ${values.checkpoint} (val ${values['val-limit']} images); proxies on a minibatch of ${batch}`);

const rows = archs.map((arch, i) => {
  const accuracy = evaluateSubnet(net, arch, { train: data.train, val: data.val, norm: state.norm }, { valLimit: Number(values['val-limit']) }).accuracy;
  const layers = space.layers(arch);
  const init = () => buildInitNetwork(layers, new Rng(`${values.seed}:init:${i}`));
  const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [batch, 28, 28, 1]), [arch.resolution, arch.resolution]) as tf.Tensor4D);
  const score = (f: (n: ReturnType<typeof init>) => number) => {
    const n = init();
    try {
      return f(n);
    } finally {
      n.dispose();
    }
  };
  const row = {
    accuracy,
    naswot: score((n) => naswot(n, x)),
    synflow: score((n) => synflow(n, [arch.resolution, arch.resolution, 1])),
    gradNorm: score((n) => gradNorm(n, x, labels, 10)),
    macs: layers.reduce((s, l) => s + layerMacs(l), 0),
    params: layers.reduce((s, l) => s + (l.kind === 'pool' ? 0 : (l.c / l.groups) * l.m * l.r * l.s), 0),
  };
  x.dispose();
  if ((i + 1) % 10 === 0) console.log(`  ${i + 1}/${archs.length} scored`);
  return row;
});
net.dispose();

const acc = rows.map((r) => r.accuracy);
const accs = acc.map((a) => 100 * a);
console.log(`\nsupernet accuracy over the subnets: min ${Math.min(...accs).toFixed(2)} %, max ${Math.max(...accs).toFixed(2)} %`);
console.log('proxy       Kendall τ vs supernet accuracy');
for (const k of ['naswot', 'synflow', 'gradNorm', 'macs', 'params'] as const) {
  const v = rows.map((r) => (Number.isFinite(r[k]) ? r[k] : -1e30));
  console.log(`${k.padEnd(11)} ${kendallTau(v, acc).toFixed(3).padStart(7)}`);
}
