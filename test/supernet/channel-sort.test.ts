import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { middleChannelOrder, sortMiddleChannels } from '../../supernet/channel-sort.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { Sgd } from '../../supernet/optimizer.ts';
import { maxBlocks } from '../../supernet/plan.ts';
import { sandwichArchs, sandwichGradients } from '../../supernet/sandwich.ts';
import { syntheticBatch, tinySpace } from './tiny.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

describe('importance sorting of the middle channels', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('keeps the largest subnet\'s function, puts important channels first, and permutes the velocities alike', () => {
    const space = tinySpace();
    const net = new MbconvSupernet(space.config, new Rng('sort'));
    const sgd = new Sgd();
    try {
      const res = space.largest().resolution;
      const { x, y } = syntheticBatch('sort-x', 8, res);
      // one step so velocities exist and the weights are no longer the seeded initial ones
      const step = sandwichGradients(net, sandwichArchs({ largest: space.largest(), smallest: space.smallest(), sample: (r) => space.sample(r) }, new Rng('s'), 2), () => x, y, 10);
      sgd.apply(net.params.variables(), step.grads, 0.1);
      tf.dispose(Object.values(step.grads));
      const block = maxBlocks(space.config)[0]!.name;
      const order = middleChannelOrder(net, block);
      expect(order.some((v, i) => v !== i)).toBe(true); // random weights are not already sorted
      const velBefore = sgd.state().find((e) => e.name === `${block}.project.w`)!;
      const largestBefore = net.forward(x, space.largest(), { kind: 'train' });
      const smallBefore = net.forward(x, space.smallest(), { kind: 'train' });

      expect(sortMiddleChannels(net, sgd)).toBe(maxBlocks(space.config).length);
      const largestAfter = net.forward(x, space.largest(), { kind: 'train' });
      expect(maxDiff(largestBefore, largestAfter)).toBeLessThan(1e-5);
      const smallAfter = net.forward(x, space.smallest(), { kind: 'train' });
      expect(maxDiff(smallBefore, smallAfter)).toBeGreaterThan(1e-4); // the small expand now keeps other channels
      for (const { name } of maxBlocks(space.config)) {
        const imp = tf.tidy(() => Array.from(tf.sum(tf.abs(net.params.get(`${name}.project.w`)), [0, 1, 3]).dataSync()));
        for (let i = 1; i < imp.length; i++) expect(imp[i]).toBeLessThanOrEqual(imp[i - 1] as number);
      }
      // velocity of project.w [1, 1, hidden, cout]: row h after = row order[h] before
      const velAfter = sgd.state().find((e) => e.name === `${block}.project.w`)!;
      const cout = velBefore.shape[3] as number;
      for (let h = 0; h < order.length; h++) {
        const src = order[h] as number;
        expect(Array.from(velAfter.data.subarray(h * cout, (h + 1) * cout))).toEqual(Array.from(velBefore.data.subarray(src * cout, (src + 1) * cout)));
      }
      expect(sortMiddleChannels(net, sgd)).toBe(0); // sorted stays sorted
      tf.dispose([x, y, largestBefore, largestAfter, smallBefore, smallAfter]);
    } finally {
      sgd.dispose();
      net.dispose();
    }
  });
});
