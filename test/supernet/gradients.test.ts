import { describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { paramName } from '../../supernet/params.ts';
import { syntheticBatch, tinySpace } from './tiny.ts';
installKernels();

/**
 * The wasm backend trains through gradient kernels registered by runtime/ops; the cpu backend uses
 * tfjs's own. The supernet's gradients must agree on both, for every parameter a subnet touches.
 */
describe('supernet gradients: wasm equals cpu', () => {
  it('for the largest and smallest subnets', async () => {
    const space = tinySpace();
    const grads: Record<string, Record<string, Float32Array>> = {};
    for (const backend of ['cpu', 'wasm']) {
      await initTf(backend);
      const net = new MbconvSupernet(space.config, new Rng('grad'));
      for (const [label, arch] of [['largest', space.largest()], ['smallest', space.smallest()]] as const) {
        const { x, y } = syntheticBatch('grad', 4, arch.resolution);
        const { value, grads: g } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), net.forward(x, arch, { kind: 'train' })) as tf.Scalar,
          net.params.variables(),
        );
        for (const [k, t] of Object.entries(g)) (grads[`${label}:${paramName(k)}`] ??= {})[backend] = Float32Array.from(t.dataSync());
        tf.dispose([x, y, value, ...Object.values(g)]);
      }
      net.dispose();
    }
    await initTf('wasm');
    let compared = 0;
    for (const [name, byBackend] of Object.entries(grads)) {
      const a = byBackend.cpu as Float32Array;
      const b = byBackend.wasm as Float32Array;
      expect(b, name).toBeDefined();
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) {
        diff += ((a[i] as number) - (b[i] as number)) ** 2;
        norm += (a[i] as number) ** 2;
      }
      // BN parameters that a following per-channel BN makes scale/shift-invariant have a true
      // gradient of 0 (both backends return ~1e-8 rounding noise): compare those absolutely.
      if (Math.sqrt(norm) < 1e-6) expect(Math.sqrt(diff), name).toBeLessThan(1e-6);
      else expect(Math.sqrt(diff / norm), name).toBeLessThan(1e-3);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });
});
