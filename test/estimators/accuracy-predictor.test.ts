import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { createSpace } from '../../search-space/registry.ts';
import { loadNb201Table } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import { nb201ArchAt } from '../../search-space/nb201-index.ts';
import { AccuracyPredictor } from '../../estimators/accuracy/accuracy-predictor.ts';
import { ConfigError } from '../../core/errors.ts';

const csv = defaultNb201CsvPath();
const skip = !existsSync(csv);

beforeAll(async () => {
  await initTf('wasm');
});

describe.skipIf(skip)(`accuracy predictor on NAS-Bench-201 ground truth (${skip ? `skipped: ${csv} is absent` : csv})`, () => {
  const space = createSpace('nb201');
  const table = skip ? null : loadNb201Table(csv);
  const samples = skip ? [] : new Rng(4).sampleIndices(15625, 300).map((i) => ({ arch: nb201ArchAt(i), accuracy: table!.accuracy(i) }));
  const opts = { source: 'nb201:cifar10', hidden: [32, 32], epochs: 60, seed: 1 };

  it('ranks held-out cells better than chance, deterministically, and round-trips', () => {
    const before = tf.memory().numTensors;
    const p = AccuracyPredictor.fit(space, samples, opts);
    expect(p.meta).toMatchObject({ trainSize: 240, testSize: 60, space: 'nb201' });
    // Real NB201 accuracies span 10–94 %: a useful ranker is far above τ = 0; a chance one is near it.
    expect(p.meta.kendallTau).toBeGreaterThan(0.4);
    expect(p.meta.heldOutRmse).toBeLessThan(12);
    const probe = samples.slice(0, 5).map((s) => s.arch);
    const again = AccuracyPredictor.fit(space, samples, opts);
    expect(again.predict(probe)).toEqual(p.predict(probe));
    const copy = AccuracyPredictor.deserialize(space, p.meta, p.serialize());
    expect(copy.predict(probe)).toEqual(p.predict(probe));
    [p, again, copy].forEach((x) => x.dispose());
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000);

  it('refuses a predictor of another space and too few samples', () => {
    const p = AccuracyPredictor.fit(space, samples.slice(0, 20), { ...opts, epochs: 1 });
    expect(() => AccuracyPredictor.deserialize(createSpace('mbconv'), p.meta, p.serialize())).toThrow(ConfigError);
    expect(() => AccuracyPredictor.fit(space, samples.slice(0, 5), opts)).toThrow(/samples/);
    p.dispose();
  });
});
