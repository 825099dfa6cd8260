import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { InvalidArchError } from '../../core/errors.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { Mlp, splitMlpWeights } from '../../estimators/accuracy/mlp.ts';
import { AccuracyPredictor } from '../../estimators/accuracy/accuracy-predictor.ts';

beforeAll(async () => {
  await initTf('wasm');
});

const space = new MbconvSpace();
const rng = new Rng(3);
const archs: MbconvArch[] = Array.from({ length: 400 }, () => space.sample(rng));

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number)), `row ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i] as number)));
}

describe('batched MLP inference', () => {
  it('predictBatch over a Float32Array equals the number[][] forward pass, across chunk boundaries', () => {
    const before = tf.memory().numTensors;
    for (const hidden of [[16, 16], [128, 128], [400, 400, 400]]) {
      const mlp = Mlp.create({ inputs: space.encodingLength, hidden, outputs: 1 }, new Rng(hidden.length));
      const x = space.encodeBatch(archs);
      const ref = mlp.predict(archs.map((a) => space.encode(a))).map((r) => r[0] as number);
      const got = mlp.predictBatch(x, archs.length);
      expectClose(got, ref);
      // Not all outputs equal (the comparison would pass vacuously for a dead network).
      expect(new Set(ref).size).toBeGreaterThan(archs.length / 2);
      mlp.dispose();
    }
    // 9,000 rows span two chunks; a second output column checks the row-major layout.
    const wide = Mlp.create({ inputs: 6, hidden: [8], outputs: 2 }, new Rng(9));
    const r = new Rng(10);
    const rows = Array.from({ length: 9000 }, () => Array.from({ length: 6 }, () => r.normal()));
    const flat = Float32Array.from(rows.flat());
    expectClose(wide.predictBatch(flat, rows.length), wide.predict(rows).flat());
    expect(wide.predictBatch(flat, 0)).toHaveLength(0);
    expect(() => wide.predictBatch(flat, 9001)).toThrow(/rows/);
    wide.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('AccuracyPredictor batch paths on mbconv', () => {
  const samples = archs.slice(0, 120).map((arch, i) => ({ arch, accuracy: 70 + (i % 17) + arch.resolution / 4 }));

  it('predict, predictBatch and predictEncoded agree with the per-arch tfjs path', () => {
    const before = tf.memory().numTensors;
    const p = AccuracyPredictor.fit(space, samples, { source: 'test', hidden: [32, 32], epochs: 5, seed: 2 });
    const copy = Mlp.fromWeights(p.meta.mlp, splitWeights(p));
    const ref = copy.predict(archs.map((a) => space.encode(a))).map((r) => (r[0] as number) * p.meta.targetStd + p.meta.targetMean);
    expectClose(p.predict(archs), ref);
    expectClose(p.predictBatch(archs), ref);
    expectClose(p.predictEncoded(p.encode(archs), archs.length), ref);
    expect(p.predictBatch([])).toHaveLength(0);
    copy.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid archs: predict validates fully, predictBatch checks the values it encodes', () => {
    const p = AccuracyPredictor.fit(space, samples, { source: 'test', hidden: [8], epochs: 1, seed: 2 });
    const a = archs[0] as MbconvArch;
    expect(() => p.predict([{ ...a, colour: 'red' } as unknown as MbconvArch])).toThrow(InvalidArchError);
    expect(() => p.predictBatch([{ ...a, resolution: 31 }])).toThrow(/resolution/);
    p.dispose();
  });
});

/** The predictor's float32 blob cut back into (w, b) pairs, as `deserialize` does. */
function splitWeights(p: AccuracyPredictor): Float32Array[] {
  const blob = p.serialize();
  return splitMlpWeights(new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4), p.meta.mlp);
}
