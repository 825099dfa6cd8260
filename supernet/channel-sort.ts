/**
 * Importance sorting of the elastic expand (middle) channels, Once-for-All's
 * `re_organize_middle_weights` (Cai et al. 2020, §3.2): a block's hidden channels are reordered by
 * the L1 norm of the projection weights that read them, so that every smaller expand ratio or width
 * — which takes the first channels — keeps the most important ones. The permutation is applied to
 * everything indexed by the hidden channel (expand conv outputs and their BN, depthwise kernel and
 * BN, project conv inputs) and to the optimizer's velocities, so the largest subnet computes the same
 * function before and after and training continues on the same trajectory, just relabelled.
 * Stage widths are not sorted: their channels flow through residual additions across blocks.
 */
import { tf } from '../runtime/tf.ts';
import type { MbconvSupernet } from './mbconv-supernet.ts';
import type { Sgd } from './optimizer.ts';
import { maxBlocks } from './plan.ts';

/** Parameter name suffix → axis holding the hidden channel. */
const HIDDEN_AXIS: ReadonlyArray<readonly [string, number]> = [
  ['expand.w', 3], ['expand.bn.gamma', 0], ['expand.bn.beta', 0],
  ['depthwise.w', 2], ['depthwise.bn.gamma', 0], ['depthwise.bn.beta', 0],
  ['project.w', 2],
];

/** Hidden-channel order of one block: importance descending, ties by index (deterministic). */
export function middleChannelOrder(net: MbconvSupernet, block: string): Int32Array {
  const importance = tf.tidy(() => tf.sum(tf.abs(net.params.get(`${block}.project.w`)), [0, 1, 3]).dataSync());
  const order = Array.from(importance.keys()).sort((a, b) => (importance[b] as number) - (importance[a] as number) || a - b);
  return Int32Array.from(order);
}

/** Sorts every block's hidden channels by importance; returns how many blocks changed order. */
export function sortMiddleChannels(net: MbconvSupernet, sgd?: Sgd): number {
  let changed = 0;
  for (const { name } of maxBlocks(net.cfg)) {
    const order = middleChannelOrder(net, name);
    if (order.every((v, i) => v === i)) continue;
    changed++;
    const idx = tf.tensor1d(order, 'int32');
    try {
      for (const [suffix, axis] of HIDDEN_AXIS) {
        const param = `${name}.${suffix}`;
        const v = net.params.get(param);
        tf.tidy(() => v.assign(tf.gather(v, idx, axis)));
        sgd?.transform(param, (vel) => tf.gather(vel, idx, axis));
      }
    } finally {
      idx.dispose();
    }
  }
  return changed;
}
