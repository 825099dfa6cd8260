/**
 * A small multilayer perceptron in tfjs for predictors (Once-for-All's accuracy predictor is an MLP
 * with three hidden ReLU layers of 400 units over the arch encoding). Weights are initialised from
 * our Rng (He-normal), minibatches are shuffled by it, and Adam runs on whatever backend is active,
 * so the same seed on the same backend gives the same predictor. Only dense layers and ReLU, whose
 * gradients every backend has (matMul, step), so it trains on wasm.
 */
import { tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';

export interface MlpConfig {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
}

export interface TrainOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** L2 penalty on weights (not biases). */
  readonly weightDecay?: number;
  /**
   * Learning rate over the epochs: 'constant' (default) or 'cosine', decaying to 0 at the last
   * epoch (SGDR without restarts, Loshchilov & Hutter 2017).
   */
  readonly schedule?: 'constant' | 'cosine';
  /**
   * Rows scored (mean squared error) after every epoch. With `patience`, training stops once their
   * loss has not improved for that many epochs, and the best epoch's weights are put back.
   */
  readonly validation?: { readonly x: readonly (readonly number[])[]; readonly y: readonly (readonly number[])[] };
  readonly patience?: number;
  readonly onEpoch?: (epoch: number, loss: number, validationLoss?: number) => void;
}

export interface TrainResult {
  /** Mean training loss of the last epoch run. */
  readonly loss: number;
  readonly epochsRun: number;
  /** Epoch (0-based) whose weights the network holds: the last one, or the best on `validation`. */
  readonly bestEpoch: number;
  /** Validation loss at `bestEpoch` (absent without `validation`). */
  readonly validationLoss?: number;
}

/** Adam whose learning rate can be changed between steps (tfjs reads it at every update). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/** Rows per tensor in `predictBatch`: larger chunks ran faster up to 8192 (bench/estimators.ts); a 3×400 MLP then holds ≤ 13 MB of activations. */
const PREDICT_CHUNK = 8192;

/** A variable holding `t`'s values; `t` itself is released (tf.variable keeps its own handle). */
function toVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/**
 * Splits one flat float32 buffer (layer by layer: weights then biases, the order `Mlp` serialises)
 * into the per-tensor arrays `Mlp.fromWeights` takes; throws naming `field` when the size is off.
 */
export function splitMlpWeights(floats: Float32Array, config: MlpConfig, field = 'mlp.weights'): Float32Array[] {
  const sizes = [config.inputs, ...config.hidden, config.outputs];
  const parts: Float32Array[] = [];
  let off = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const n = (sizes[i] as number) * (sizes[i + 1] as number);
    parts.push(floats.slice(off, off + n), floats.slice(off + n, off + n + (sizes[i + 1] as number)));
    off += n + (sizes[i + 1] as number);
  }
  if (off !== floats.length) throw new ConfigError(field, floats.length, `expected ${off} float32 weights`);
  return parts;
}

export class Mlp {
  readonly config: MlpConfig;
  private readonly params: tf.Variable[];

  private constructor(config: MlpConfig, params: tf.Variable[]) {
    this.config = config;
    this.params = params;
  }

  static create(config: MlpConfig, rng: Rng): Mlp {
    const sizes = [config.inputs, ...config.hidden, config.outputs];
    if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new ConfigError('mlp.sizes', sizes.join('×'), 'every layer size must be a positive integer');
    const params: tf.Variable[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const [fanIn, fanOut] = [sizes[i] as number, sizes[i + 1] as number];
      const std = Math.sqrt(2 / fanIn);
      const w = Float32Array.from({ length: fanIn * fanOut }, () => rng.normal() * std);
      params.push(toVariable(tf.tensor2d(w, [fanIn, fanOut])), toVariable(tf.zeros([fanOut])));
    }
    return new Mlp(config, params);
  }

  static fromWeights(config: MlpConfig, weights: readonly Float32Array[]): Mlp {
    const sizes = [config.inputs, ...config.hidden, config.outputs];
    const params: tf.Variable[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const shape: [number, number] = [sizes[i] as number, sizes[i + 1] as number];
      const w = weights[2 * i];
      const b = weights[2 * i + 1];
      if (!w || w.length !== shape[0] * shape[1] || !b || b.length !== shape[1]) {
        throw new ConfigError(`mlp.weights[${2 * i}]`, w?.length ?? 'missing', `expected ${shape[0]}×${shape[1]} weights and ${shape[1]} biases`);
      }
      params.push(toVariable(tf.tensor2d(w, shape)), toVariable(tf.tensor1d(b)));
    }
    return new Mlp(config, params);
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < this.params.length; i += 2) {
      h = tf.add(tf.matMul(h, this.params[i] as tf.Tensor2D), this.params[i + 1] as tf.Tensor1D);
      if (i + 2 < this.params.length) h = tf.relu(h);
    }
    return h;
  }

  /** Mean squared error training with Adam (see TrainOptions for the schedule and early stopping). */
  train(x: readonly (readonly number[])[], y: readonly (readonly number[])[], rng: Rng, options: TrainOptions = {}): TrainResult {
    const { epochs = 200, batchSize = 64, learningRate = 1e-3, weightDecay = 1e-4, schedule = 'constant', validation, patience } = options;
    if (x.length !== y.length || x.length === 0) throw new ConfigError('samples', `${x.length} inputs / ${y.length} targets`, 'need equally many, at least one');
    if (validation && (validation.x.length !== validation.y.length || validation.x.length === 0)) {
      throw new ConfigError('validation', `${validation.x.length} inputs / ${validation.y.length} targets`, 'need equally many, at least one');
    }
    if (patience !== undefined && (!Number.isInteger(patience) || patience < 1 || !validation)) throw new ConfigError('patience', patience, 'must be a positive integer, with validation rows');
    const opt = new ScheduledAdam(learningRate, 0.9, 0.999);
    const xs = tf.tensor2d(x.map((r) => [...r]));
    const ys = tf.tensor2d(y.map((r) => [...r]));
    const vx = validation ? tf.tensor2d(validation.x.map((r) => [...r])) : null;
    const vy = validation ? tf.tensor2d(validation.y.map((r) => [...r])) : null;
    let last = NaN;
    let lastValidation: number | undefined;
    let best = { epoch: -1, loss: Infinity, weights: null as Float32Array[] | null };
    let epoch = 0;
    try {
      for (; epoch < epochs; epoch++) {
        if (schedule === 'cosine') opt.setLearningRate(0.5 * learningRate * (1 + Math.cos((Math.PI * epoch) / epochs)));
        const order = rng.shuffle(Array.from({ length: x.length }, (_, i) => i));
        let sum = 0;
        for (let start = 0; start < order.length; start += batchSize) {
          const idx = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
          const loss = opt.minimize(() => {
            const bx = tf.gather(xs, idx) as tf.Tensor2D;
            const by = tf.gather(ys, idx);
            const mse = tf.mean(tf.square(tf.sub(this.forward(bx), by)));
            const l2 = this.params.filter((_, i) => i % 2 === 0).reduce((acc: tf.Scalar, w) => tf.add(acc, tf.sum(tf.square(w))), tf.scalar(0));
            return tf.add(mse, tf.mul(weightDecay, l2)) as tf.Scalar;
          }, true);
          sum += (loss?.dataSync()[0] ?? 0) * idx.shape[0];
          loss?.dispose();
          idx.dispose();
        }
        last = sum / x.length;
        const vLoss = vx && vy ? tf.tidy(() => tf.mean(tf.square(tf.sub(this.forward(vx), vy))).dataSync()[0] as number) : undefined;
        options.onEpoch?.(epoch, last, vLoss);
        if (vLoss === undefined) continue;
        lastValidation = vLoss;
        if (vLoss < best.loss) best = { epoch, loss: vLoss, weights: patience !== undefined ? this.weights() : null };
        else if (patience !== undefined && epoch - best.epoch >= patience) {
          epoch++;
          break;
        }
      }
      const saved = best.weights;
      if (saved) tf.tidy(() => this.params.forEach((p, i) => p.assign(tf.tensor(saved[i] as Float32Array, p.shape))));
    } finally {
      tf.dispose([xs, ys, ...(vx && vy ? [vx, vy] : [])]);
      opt.dispose();
    }
    const restored = best.weights !== null;
    const validationLoss = restored ? best.loss : lastValidation;
    return { loss: last, epochsRun: epoch, bestEpoch: restored ? best.epoch : epoch - 1, ...(validationLoss !== undefined ? { validationLoss } : {}) };
  }

  predict(x: readonly (readonly number[])[]): number[][] {
    return tf.tidy(() => this.forward(tf.tensor2d(x.map((r) => [...r]))).arraySync());
  }

  /**
   * Forward pass over `rows` inputs laid out row-major in `x` (no nested arrays either way);
   * returns `[rows × outputs]`. Uses the fused matMul + bias + ReLU kernel (one pass instead of
   * three; bit-identical to `predict` on wasm, tested). Chunked so a call never holds tensors for
   * more than PREDICT_CHUNK rows.
   */
  predictBatch(x: Float32Array, rows: number): Float32Array {
    const { inputs, outputs } = this.config;
    if (!Number.isInteger(rows) || rows < 0 || x.length < rows * inputs) throw new ConfigError('rows', rows, `needs ${rows * inputs} input floats, got ${x.length}`);
    const out = new Float32Array(rows * outputs);
    const last = this.params.length - 2;
    for (let start = 0; start < rows; start += PREDICT_CHUNK) {
      const n = Math.min(PREDICT_CHUNK, rows - start);
      const part = tf.tidy(() => {
        let h: tf.Tensor2D = tf.tensor2d(x.subarray(start * inputs, (start + n) * inputs), [n, inputs]);
        for (let i = 0; i <= last; i += 2) {
          h = tf.fused.matMul({ a: h, b: this.params[i] as tf.Tensor2D, bias: this.params[i + 1], activation: i < last ? 'relu' : 'linear' }) as tf.Tensor2D;
        }
        return h.dataSync();
      });
      out.set(part, start * outputs);
    }
    return out;
  }

  weights(): Float32Array[] {
    return this.params.map((p) => p.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  }

  dispose(): void {
    this.params.forEach((p) => p.dispose());
  }
}
