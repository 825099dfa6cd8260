/**
 * One sandwich-rule training step (BigNAS / Once-for-All): the largest subnet learns from the labels,
 * then the smallest and `randomSubnets` sampled subnets learn from the labels and from the largest
 * subnet's soft predictions (in-place distillation); their gradients are summed and applied once.
 * The loss of a student is CE(labels) + kdRatio · CE(teacher probabilities), OFA's choice of keeping
 * the hard loss next to the distillation term.
 */
import { tf } from '../runtime/tf.ts';
import type { Rng } from '../core/rng.ts';
import type { JsonObject } from '../core/types.ts';
import type { BnMode } from './elastic.ts';
import type { ParamStore } from './params.ts';

export interface TrainableSupernet<A extends JsonObject> {
  readonly params: ParamStore;
  /** Logits of subnet `arch` for input `x` (already at `resolution(arch)`). */
  forward(x: tf.Tensor4D, arch: A, mode: BnMode): tf.Tensor2D;
  resolution(arch: A): number;
}

export interface SandwichMembers<A> {
  /** The teacher: learns from the labels only. */
  readonly largest: A;
  /** Absent in stand-alone training, where `largest` is the one network trained. */
  readonly smallest?: A;
  sample(rng: Rng): A;
}

export interface SandwichOptions {
  readonly randomSubnets: number;
  readonly kdRatio: number;
  readonly labelSmoothing: number;
  /** Quantisation-aware: each member runs fake-quantised at its own bits (BnMode train.quantize). */
  readonly qat?: boolean;
}

export const DEFAULT_SANDWICH: SandwichOptions = { randomSubnets: 2, kdRatio: 1, labelSmoothing: 0.1 };

export interface StepResult {
  /** Loss and accuracy of each member on this batch, largest first. */
  readonly losses: number[];
  readonly correct: number[];
  readonly grads: Record<string, tf.Tensor>;
}

/**
 * The members of one step, teacher first. Drawn apart from the gradients so that every shard of a
 * data-parallel step (data-parallel.ts) trains the very same subnets.
 */
export function sandwichArchs<A>(members: SandwichMembers<A>, rng: Rng, randomSubnets: number): A[] {
  const archs = members.smallest === undefined ? [members.largest] : [members.largest, members.smallest];
  for (let i = 0; i < randomSubnets; i++) archs.push(members.sample(rng));
  return archs;
}

/**
 * Computes the summed gradients of one sandwich step over `archs` (teacher first, as
 * `sandwichArchs` returns them). `input(resolution)` returns the batch at a resolution (the caller
 * caches per resolution); the caller applies and disposes the gradients.
 */
export function sandwichGradients<A extends JsonObject>(
  net: TrainableSupernet<A>,
  archs: readonly A[],
  input: (resolution: number) => tf.Tensor4D,
  labels: tf.Tensor1D,
  numClasses: number,
  options: SandwichOptions = DEFAULT_SANDWICH,
): StepResult {
  const vars = net.params.variables();
  const mode: BnMode = { kind: 'train', quantize: options.qat === true };
  const oneHot = tf.tidy(() => smoothOneHot(labels, numClasses, options.labelSmoothing));
  let teacher: tf.Tensor2D | undefined;
  const total: Record<string, tf.Tensor> = {};
  const losses: number[] = [];
  const correct: number[] = [];
  try {
    for (const [i, arch] of archs.entries()) {
      const x = input(net.resolution(arch));
      let logitsKept: tf.Tensor2D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = net.forward(x, arch, mode);
        logitsKept = tf.keep(tf.clone(logits));
        const hard = tf.losses.softmaxCrossEntropy(oneHot, logits);
        if (i === 0 || !teacher || options.kdRatio === 0) return hard as tf.Scalar;
        const soft = tf.losses.softmaxCrossEntropy(teacher, logits);
        return tf.add(hard, tf.mul(soft, options.kdRatio)) as tf.Scalar;
      }, vars);
      losses.push(value.dataSync()[0] as number);
      value.dispose();
      const kept = logitsKept as unknown as tf.Tensor2D;
      correct.push(countCorrect(kept, labels));
      if (i === 0) teacher = tf.tidy(() => tf.softmax(kept)) as tf.Tensor2D;
      kept.dispose();
      for (const [name, g] of Object.entries(grads)) {
        const prev = total[name];
        if (prev) {
          total[name] = tf.add(prev, g);
          prev.dispose();
          g.dispose();
        } else total[name] = g;
      }
    }
  } finally {
    oneHot.dispose();
    teacher?.dispose();
  }
  return { losses, correct, grads: total };
}

export function smoothOneHot(labels: tf.Tensor1D, numClasses: number, smoothing: number): tf.Tensor2D {
  const hot = tf.cast(tf.oneHot(labels, numClasses), 'float32');
  if (smoothing <= 0) return hot as tf.Tensor2D;
  return tf.add(tf.mul(hot, 1 - smoothing), smoothing / numClasses) as tf.Tensor2D;
}

export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')).dataSync()[0] as number);
}
