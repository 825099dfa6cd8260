/**
 * One architecture-gradient evaluation of the relaxed supernet: Gumbel-softmax weights from the
 * logits, the relaxed forward on a training minibatch at the sampled resolution, mean cross-entropy,
 * and its gradient with respect to every logit. Supernet weights stay frozen unless `fineTune` is
 * given, in which case they take one SGD step on the same loss (ProxylessNAS alternates weight and
 * architecture updates; here both use one minibatch).
 */
import { tf } from '../runtime/tf.ts';
import { ConfigError } from '../core/errors.ts';
import type { ImageDataset } from '../datasets/types.ts';
import { genomeArity } from '../search-space/mbconv-arch.ts';
import { batchPixels, batchTensor, labelTensor, type Normalisation } from './batches.ts';
import type { RelaxedSupernet } from './relaxed.ts';

export interface RelaxedData {
  readonly train: ImageDataset;
  /** The normalisation the supernet was trained with. */
  readonly norm: Normalisation;
}

export interface RelaxedStepOptions {
  /** Fake-quantise with the bits mixtures (default true). */
  readonly quantize?: boolean;
  /** Also train the supernet weights with plain SGD at this rate (default: frozen). */
  readonly fineTune?: { readonly learningRate: number };
}

export interface RelaxedStepInput {
  /** Genome logits, genes concatenated (mbconv-arch.ts order). */
  readonly logits: readonly number[];
  readonly noise: readonly number[];
  readonly temperature: number;
  readonly resolution: number;
  readonly batch: readonly number[];
}

/** Mean cross-entropy and ∂CE/∂logits; leaves no tensors behind. */
export function relaxedCrossEntropy(
  relaxed: RelaxedSupernet,
  data: RelaxedData,
  step: RelaxedStepInput,
  opts: RelaxedStepOptions = {},
): { loss: number; grad: number[] } {
  const arity = genomeArity(relaxed.cfg);
  const n = arity.reduce((s, a) => s + a, 0);
  if (step.logits.length !== n || step.noise.length !== n) {
    throw new ConfigError('relaxed.logits', step.logits.length, `expected ${n} genome logits and as much noise (got ${step.noise.length})`);
  }
  if (!(step.temperature > 0)) throw new ConfigError('relaxed.temperature', step.temperature, 'must be positive');
  const pixels = batchPixels(data.train, step.batch, data.norm);
  const x = batchTensor(data.train, pixels, step.batch.length, step.resolution);
  const y = labelTensor(data.train, step.batch);
  const theta = tf.tidy(() => tf.variable(tf.tensor1d(Float32Array.from(step.logits)), true));
  const noise = tf.tensor1d(Float32Array.from(step.noise));
  const weights = opts.fineTune ? relaxed.net.params.variables() : [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const z = tf.div(tf.add(theta, noise), step.temperature);
      let at = 0;
      const g = arity.map((a) => {
        const w = tf.softmax(tf.slice(z, [at], [a])) as tf.Tensor1D;
        at += a;
        return w;
      });
      const logits = relaxed.forward(x, g, { quantize: opts.quantize ?? true });
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, relaxed.cfg.numClasses), logits) as tf.Scalar;
    }, [theta, ...weights]);
    const loss = value.dataSync()[0] as number;
    const gTheta = grads[theta.name];
    const grad = gTheta ? Array.from(gTheta.dataSync()) : new Array<number>(n).fill(0);
    if (opts.fineTune) {
      const lr = opts.fineTune.learningRate;
      for (const w of weights) {
        const gw = grads[w.name];
        if (gw) tf.tidy(() => w.assign(tf.sub(w, tf.mul(gw, lr))));
      }
    }
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, grad };
  } finally {
    tf.dispose([x, y, theta, noise]);
  }
}
