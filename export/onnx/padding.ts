/**
 * TensorFlow's padding rules, reproduced exactly so ONNX convolutions and pools see the same
 * windows. For 'same', TF makes the output ceil(in / stride) and, when the needed padding is odd,
 * puts the extra row/column at the end (bottom/right) — the asymmetric case for stride 2 that
 * ONNX's auto_pad=SAME_UPPER also describes, but we always emit explicit pads.
 * Formula: TensorFlow docs, "tf.nn convolution — padding" (out = ceil(in/s),
 * pad_total = max((out-1)*s + (k-1)*d + 1 - in, 0), pad_before = floor(pad_total/2)).
 */
export interface Pads1D {
  readonly before: number;
  readonly after: number;
  readonly out: number;
}

export function tfPadding(size: number, kernel: number, stride: number, dilation: number, mode: 'same' | 'valid'): Pads1D {
  const effective = (kernel - 1) * dilation + 1;
  if (mode === 'valid') return { before: 0, after: 0, out: Math.floor((size - effective) / stride) + 1 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, out };
}

/** ONNX `pads` for 2-D ops: [top, left, bottom, right]. */
export function onnxPads2D(h: Pads1D, w: Pads1D): number[] {
  return [h.before, w.before, h.after, w.after];
}
