/**
 * Turns uint8 NHWC samples into float input tensors for the supernet: scaled to [0, 1], normalised
 * with the dataset's mean/std, resized to the subnet's input resolution (elastic resolution), with
 * optional training augmentation (random horizontal flip and random translation by zero-padded crop,
 * both drawn from the caller's Rng so epochs are reproducible).
 */
import { tf } from '../runtime/tf.ts';
import type { Rng } from '../core/rng.ts';
import type { ImageDataset } from '../datasets/types.ts';
import { imageSize } from '../datasets/types.ts';

export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/** Mean and std of all pixels in [0, 1] units (one pass over the bytes). */
export function pixelStats(ds: ImageDataset): Normalisation {
  let sum = 0;
  let sq = 0;
  const px = ds.images;
  for (let i = 0; i < px.length; i++) {
    const v = (px[i] as number) / 255;
    sum += v;
    sq += v * v;
  }
  const mean = sum / px.length;
  return { mean, std: Math.sqrt(Math.max(1e-12, sq / px.length - mean * mean)) };
}

export interface Augment {
  readonly flip: boolean;
  /** Maximum translation in pixels (random crop of a zero-padded image). */
  readonly shift: number;
}

export const NO_AUGMENT: Augment = { flip: false, shift: 0 };

/** Floats of samples `indices` (NHWC), augmented if `augment` and `rng` are given. */
export function batchPixels(ds: ImageDataset, indices: ArrayLike<number>, norm: Normalisation, augment = NO_AUGMENT, rng?: Rng): Float32Array {
  const { height: h, width: w, channels: c } = ds;
  const size = imageSize(ds);
  const out = new Float32Array(indices.length * size);
  const scale = 1 / (255 * norm.std);
  const bias = -norm.mean / norm.std;
  for (let k = 0; k < indices.length; k++) {
    const base = (indices[k] as number) * size;
    const flip = augment.flip && rng ? rng.bool() : false;
    const dy = augment.shift > 0 && rng ? rng.intBetween(-augment.shift, augment.shift) : 0;
    const dx = augment.shift > 0 && rng ? rng.intBetween(-augment.shift, augment.shift) : 0;
    const o = k * size;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx0 = x + dx;
        const sx = flip ? w - 1 - sx0 : sx0;
        for (let ch = 0; ch < c; ch++) {
          const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          // zero padding of the raw image corresponds to the normalised value of a black pixel
          out[o + (y * w + x) * c + ch] = inside ? (ds.images[base + (sy * w + sx) * c + ch] as number) * scale + bias : bias;
        }
      }
    }
  }
  return out;
}

/** Input tensor at `resolution` (bilinear resize when it differs from the stored size). */
export function batchTensor(ds: Pick<ImageDataset, 'height' | 'width' | 'channels'>, pixels: Float32Array, count: number, resolution: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, ds.height, ds.width, ds.channels]);
    if (resolution === ds.height && resolution === ds.width) return x;
    return tf.image.resizeBilinear(x, [resolution, resolution], true);
  });
}

export function labelArray(ds: ImageDataset, indices: ArrayLike<number>): Int32Array {
  const l = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) l[k] = ds.labels[indices[k] as number] as number;
  return l;
}

export function labelTensor(ds: ImageDataset, indices: ArrayLike<number>): tf.Tensor1D {
  return tf.tensor1d(labelArray(ds, indices), 'int32');
}
