/** A tiny mbconv configuration and synthetic inputs that keep supernet tests fast on wasm. */
import { Rng } from '../../core/rng.ts';
import { tf } from '../../runtime/tf.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';

export const TINY = {
  resolutions: [12, 16],
  depths: [1, 2],
  widths: [0.5, 1],
  kernels: [3, 5],
  expands: [2, 3],
  weightBits: [4, 8],
  activationBits: [4, 8],
  stemChannels: 8,
  stages: [{ channels: 8, stride: 1 }, { channels: 16, stride: 2 }],
  headChannels: 16,
} as const;

export function tinySpace(): MbconvSpace {
  return new MbconvSpace(TINY);
}

/** Deterministic normal inputs [n, r, r, 1] and labels in [0, 10). */
export function syntheticBatch(seed: string, n: number, resolution: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  const px = Float32Array.from({ length: n * resolution * resolution }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, () => rng.int(10));
  return { x: tf.tensor4d(px, [n, resolution, resolution, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** A synthetic image dataset whose class is visible (a bright square at a class-dependent place). */
export function syntheticImages(seed: string, n: number, side = 16): import('../../datasets/types.ts').ImageDataset {
  const rng = new Rng(seed);
  const images = new Uint8Array(n * side * side);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = rng.int(10);
    labels[i] = label;
    for (let p = 0; p < side * side; p++) images[i * side * side + p] = rng.int(60);
    const y0 = Math.floor(label / 5) * (side / 2);
    const x0 = (label % 5) * Math.floor(side / 5);
    for (let y = y0; y < y0 + 3; y++) for (let x = x0; x < x0 + 3; x++) images[i * side * side + y * side + x] = 250;
  }
  return {
    name: `synthetic-${seed}`, images, labels, n, height: side, width: side, channels: 1, numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)), sourceIndex: Uint32Array.from({ length: n }, (_, i) => i),
  };
}
