/**
 * The accuracy predictor's training recipe and its fidelity report: undefined τ stored as null,
 * k-fold cross-validation, early stopping that restores the best epoch, the cosine schedule and
 * ensembles that round-trip through storage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError } from '../../core/errors.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { Mlp } from '../../estimators/accuracy/mlp.ts';
import { AccuracyPredictor, type AccuracyPredictorMeta } from '../../estimators/accuracy/accuracy-predictor.ts';
import { crossValidate, foldAssignment } from '../../estimators/accuracy/cross-validate.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';

beforeAll(async () => {
  await initTf('wasm');
});

const space = new MbconvSpace();
const rng = new Rng(11);
const archs: MbconvArch[] = Array.from({ length: 90 }, () => space.sample(rng));
/** A learnable synthetic accuracy: resolution, total depth and weight bits push it up. */
const truth = (a: MbconvArch): number =>
  70 + a.resolution / 4 + a.stages.reduce((s, st) => s + st.depth + st.blocks.slice(0, st.depth).reduce((b, k) => b + k.wbits / 4, 0), 0);
const samples = archs.map((arch) => ({ arch, accuracy: truth(arch) }));
const small = { source: 'test', hidden: [16], epochs: 40, seed: 3 } as const;

describe('undefined Kendall τ', () => {
  it('is null (not NaN) when the held-out truths all tie, and such a predictor is stored', async () => {
    const flat = archs.slice(0, 20).map((arch) => ({ arch, accuracy: 81.5 }));
    const p = AccuracyPredictor.fit(space, flat, { ...small, epochs: 2 });
    expect(p.meta.testSize).toBe(4);
    expect(p.meta.kendallTau).toBeNull();
    expect(p.meta.heldOutRmse).toBeGreaterThanOrEqual(0);
    expect(p.evaluate(flat.slice(0, 1)).kendallTau).toBeNull();
    const storage = await SqliteStorage.open(join(mkdtempSync(join(tmpdir(), 'nas-accpred-')), 'nas.db'));
    try {
      const rec = await storage.savePredictor({ kind: 'accuracy', metadata: p.meta, blob: p.serialize() });
      const back = (await storage.listPredictors('accuracy')).find((r) => r.id === rec.id);
      expect((back?.metadata as AccuracyPredictorMeta).kendallTau).toBeNull();
    } finally {
      await storage.close();
      p.dispose();
    }
  });

  it('train() holds nothing out: no RMSE, no τ', () => {
    const p = AccuracyPredictor.train(space, samples.slice(0, 12), { ...small, epochs: 1 });
    expect(p.meta).toMatchObject({ trainSize: 12, testSize: 0, heldOutRmse: null, kendallTau: null, members: 1 });
    p.dispose();
    expect(() => AccuracyPredictor.train(space, samples.slice(0, 5), small)).toThrow(/samples/);
  });
});

describe('k-fold cross-validation', () => {
  it('holds every sample out once, in folds of near-equal size', () => {
    const fold = foldAssignment(23, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((f) => fold.filter((x) => x === f).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(23);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(foldAssignment(23, 5, 1)).toEqual(fold);
    expect(foldAssignment(23, 5, 2)).not.toEqual(fold);
  });

  it('reports the mean and spread of τ and RMSE over the folds', () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const cv = crossValidate(space, samples, { ...small, folds: 3 }, (f) => seen.push(f));
    expect(seen).toEqual([0, 1, 2]);
    expect(cv.perFold.map((f) => f.testSize)).toEqual([30, 30, 30]);
    // A learnable target: far above chance on every fold.
    expect(cv.kendallTauMean).toBeGreaterThan(0.35);
    cv.perFold.forEach((f) => expect(f.kendallTau).toBeGreaterThan(0.2));
    const taus = cv.perFold.map((f) => f.kendallTau as number);
    expect(cv.kendallTauMean).toBeCloseTo(taus.reduce((a, b) => a + b, 0) / 3, 12);
    expect(cv.kendallTauStd).toBeGreaterThan(0);
    expect(cv.rmseMean).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => crossValidate(space, samples.slice(0, 5), { ...small, folds: 3 })).toThrow(ConfigError);
    expect(() => crossValidate(space, samples, { ...small, folds: 1 })).toThrow(/folds/);
  });
});

describe('training recipe', () => {
  const x = samples.map((s) => space.encode(s.arch));
  const y = samples.map((s) => [(s.accuracy - 80) / 3]);

  it('early stopping stops on a stalled validation loss and keeps the best epoch', () => {
    const mlp = Mlp.create({ inputs: space.encodingLength, hidden: [32], outputs: 1 }, new Rng(1));
    const validation = { x: x.slice(70), y: y.slice(70) };
    const losses: number[] = [];
    // A large learning rate on 70 rows overfits fast, so the validation loss turns up early.
    const r = mlp.train(x.slice(0, 70), y.slice(0, 70), new Rng(2), { epochs: 400, learningRate: 0.02, weightDecay: 0, validation, patience: 5, onEpoch: (_, __, v) => losses.push(v as number) });
    expect(r.epochsRun).toBeLessThan(400);
    expect(r.epochsRun).toBe(losses.length);
    expect(r.epochsRun - 1 - r.bestEpoch).toBe(5);
    expect(r.bestEpoch).toBe(losses.indexOf(Math.min(...losses)));
    const now = mlp.predict(validation.x).reduce((a, p, i) => a + ((p[0] as number) - (validation.y[i]?.[0] as number)) ** 2, 0) / validation.x.length;
    expect(now).toBeCloseTo(r.validationLoss as number, 5);
    mlp.dispose();
    expect(() => Mlp.create({ inputs: 2, hidden: [2], outputs: 1 }, new Rng(1)).train([[0, 1]], [[1]], new Rng(1), { patience: 3 })).toThrow(/patience/);
  });

  it('cosine starts at the full learning rate and then decays', () => {
    const run = (schedule: 'constant' | 'cosine', epochs: number) => {
      const mlp = Mlp.create({ inputs: space.encodingLength, hidden: [8], outputs: 1 }, new Rng(4));
      mlp.train(x, y, new Rng(5), { epochs, schedule });
      const w = mlp.weights();
      mlp.dispose();
      return w;
    };
    expect(run('cosine', 1)).toEqual(run('constant', 1));
    expect(run('cosine', 3)).not.toEqual(run('constant', 3));
  });

  it('an ensemble averages its members and round-trips; stored predictors without members load as one', () => {
    const before = tf.memory().numTensors;
    const p = AccuracyPredictor.fit(space, samples, { ...small, epochs: 5, ensemble: 3, earlyStopping: { share: 0.2, patience: 2 } });
    expect(p.meta.members).toBe(3);
    const copy = AccuracyPredictor.deserialize(space, p.meta, p.serialize());
    expect(copy.predict(archs.slice(0, 4))).toEqual(p.predict(archs.slice(0, 4)));
    // Each member loaded on its own: the ensemble's prediction is their mean.
    const blob = new Float32Array(p.serialize().buffer);
    const each = blob.length / 3;
    const parts = [0, 1, 2].map((m) => AccuracyPredictor.deserialize(space, { ...p.meta, members: 1 }, new Uint8Array(blob.slice(m * each, (m + 1) * each).buffer)));
    const mean = archs.slice(0, 4).map((_, i) => parts.reduce((a, q) => a + (q.predict(archs.slice(0, 4))[i] as number), 0) / 3);
    p.predict(archs.slice(0, 4)).forEach((v, i) => expect(v).toBeCloseTo(mean[i] as number, 3));
    expect(new Set(parts.map((q) => q.predict(archs.slice(0, 1))[0])).size).toBe(3);
    const one = AccuracyPredictor.fit(space, samples, { ...small, epochs: 5 });
    const { members: _, ...legacy } = one.meta;
    const old = AccuracyPredictor.deserialize(space, legacy as AccuracyPredictorMeta, one.serialize());
    expect(old.predict(archs.slice(0, 4))).toEqual(one.predict(archs.slice(0, 4)));
    expect(() => AccuracyPredictor.deserialize(space, { ...p.meta, members: 2 }, p.serialize())).toThrow(/blob|members/);
    [p, copy, one, old, ...parts].forEach((q) => q.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
