import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, runtime } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { loadSupernet } from '../../supernet/checkpoint.ts';
import { EMBEDDED_SUPERNET_DIR } from '../../supernet/embedded.ts';
import { evaluateSubnet } from '../../supernet/evaluate.ts';
import { SubnetEvalPool } from '../../supernet/eval-pool.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

// worker threads load the shipped Fashion-MNIST checkpoint: real weights, real data, few images
const opts = { valLimit: 96, calibImages: 64, seed: 'pool' };

describe('SubnetEvalPool', () => {
  let pool: SubnetEvalPool;
  beforeAll(async () => {
    await initTf('wasm');
    pool = new SubnetEvalPool({ checkpoint: EMBEDDED_SUPERNET_DIR, backend: runtime().backend, workers: 2 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('scores subnets in worker threads exactly as the main thread does, in the order given', async () => {
    const { net, space, state } = loadSupernet(EMBEDDED_SUPERNET_DIR);
    try {
      const rng = new Rng('pool-archs');
      const archs = [space.smallest(), space.sample(rng), space.largest(), space.sample(rng)];
      const done: number[] = [];
      const scores = await pool.scoreAll(archs, opts, 'val', (n) => done.push(n));
      expect(done).toEqual([1, 2, 3, 4]);
      const ds = loadDataset(state.dataset);
      for (const [i, arch] of archs.entries()) {
        const here = evaluateSubnet(net, arch, { train: ds.train, val: ds.val, norm: state.norm }, opts);
        expect(scores[i]?.correct, `arch ${i}`).toBe(here.correct);
        expect(scores[i]?.total).toBe(96);
      }
      // the test split is another set of images: the same arch scores differently there
      const test = await pool.score(archs[0]!, { ...opts, valLimit: 500 }, 'test');
      const val = await pool.score(archs[0]!, { ...opts, valLimit: 500 }, 'val');
      expect(test.correct).not.toBe(val.correct);
    } finally {
      net.dispose();
    }
  });

  it('refuses a bad checkpoint directory and a bad worker count by name', () => {
    expect(() => new SubnetEvalPool({ checkpoint: '/nonexistent', backend: 'wasm', workers: 1 })).toThrow(/checkpoint.*nonexistent/);
    expect(() => new SubnetEvalPool({ checkpoint: EMBEDDED_SUPERNET_DIR, backend: 'wasm', workers: 0 })).toThrow(/workers/);
  });
});
