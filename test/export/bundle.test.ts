import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tfl from '@tensorflow/tfjs-layers';
import { initTf, tf } from '../../runtime/tf.ts';
import { ConfigError } from '../../core/errors.ts';
import { loadBundleModel, writeBundle } from '../../export/bundle.ts';
import type { BundleInput } from '../../export/bundle.ts';
import { writeNoFollow } from '../../export/safe-dir.ts';
import { buildNet, randomInput } from './models.ts';

let tmp: string;
let model: tfl.LayersModel;

beforeAll(async () => {
  await initTf();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nas-bundle-'));
  model = buildNet(
    {
      size: 12,
      channels: 1,
      stem: { filters: 8, kernel: 3, stride: 2, act: 'hswish' },
      blocks: [
        { kernel: 5, expand: 2, out: 8, stride: 1, act: 'relu6' },
        { kernel: 3, expand: 3, out: 12, stride: 2, act: 'hswish' },
      ],
      head: 16,
      classes: 10,
      pool: 'gap',
    },
    'bundle-net',
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function input(over: Partial<BundleInput> = {}): BundleInput {
  return {
    model,
    arch: { resolution: 12, stages: [{ depth: 1, kernel: [5], expand: [2] }] },
    hw: { peRows: 8, peCols: 8, glbKb: 64 },
    metrics: { accuracy: 0.871, latency_ms: 1.25, energy_mj: 0.031, area_mm2: 2.4, model_kb: 17.5 },
    units: { accuracy: 'fraction', latency_ms: 'ms', energy_mj: 'mJ', area_mm2: 'mm²', model_kb: 'KiB' },
    provenance: {
      accuracy: { source: 'supernet-eval', dataset: 'fashion-mnist', split: 'val', samples: 1000 },
      latency_ms: { source: 'cost-model', model: 'hardware/cost-model' },
      energy_mj: { source: 'cost-model' },
      area_mm2: { source: 'cost-model' },
      model_kb: { source: 'counter', bits: 'per-layer' },
    },
    bits: [
      { layer: 'stem', weights: 8, inputs: 8, outputs: 8 },
      { layer: 'b0.dw', weights: 4, inputs: 8, outputs: 4 },
    ],
    mapping: [{ layer: 'stem', mapping: { order: 'MCPQ', tileM: 8 } }],
    formats: ['tfjs', 'onnx', 'json'],
    source: { experiment: 'exp-1', trial: 42 },
    ...over,
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function expectConfigError(p: Promise<unknown>, field: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  expect((e as ConfigError).field).toBe(field);
}

describe('writeBundle / loadBundleModel', () => {
  it('writes every file, and the reloaded TF.js model gives identical outputs', async () => {
    const dir = path.join(tmp, 'full');
    const before = tf.memory().numTensors;
    const res = await writeBundle(dir, input());
    expect(tf.memory().numTensors).toBe(before);
    const names = ['model.json', 'weights.bin', 'model.onnx', 'arch.json', 'accelerator.json', 'metrics.json', 'README.md'];
    expect((await readdir(dir)).sort()).toEqual([...names].sort());
    for (const f of res.files) expect(sha(await readFile(path.join(dir, f.name)))).toBe(f.sha256);

    const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);

    const reloaded = await loadBundleModel(dir);
    const x = tf.tensor(randomInput([3, 12, 12, 1], 'bundle/x'), [3, 12, 12, 1]);
    const a = model.predict(x) as tf.Tensor;
    const b = reloaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // The ONNX file in the bundle runs and agrees too.
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.dataSync() as Float32Array, [3, 12, 12, 1]) });
    const onnxOut = out[session.outputNames[0]!]!.data as Float32Array;
    const ref = a.dataSync();
    let worst = 0;
    ref.forEach((r, i) => (worst = Math.max(worst, Math.abs(r - (onnxOut[i] as number)) / Math.max(1, Math.abs(r)))));
    console.log('bundle model.onnx max scaled diff vs tfjs:', worst);
    expect(worst).toBeLessThan(1e-4);
    await session.release();
    tf.dispose([x, a, b]);
    reloaded.dispose();
  });

  it('writes arch (with bits per layer), accelerator (with mapping per layer) and metrics with provenance', async () => {
    const dir = path.join(tmp, 'json-only');
    await writeBundle(dir, input({ formats: ['json'] }));
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'accelerator.json', 'arch.json', 'metrics.json']);
    const arch = JSON.parse(await readFile(path.join(dir, 'arch.json'), 'utf8'));
    expect(arch.arch).toEqual(input().arch);
    expect(arch.quantization.layers).toEqual(input().bits);
    expect(arch.source).toEqual({ experiment: 'exp-1', trial: 42 });
    const acc = JSON.parse(await readFile(path.join(dir, 'accelerator.json'), 'utf8'));
    expect(acc.hw).toEqual(input().hw);
    expect(acc.mapping).toEqual(input().mapping);
    const metrics = JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.figures).sort()).toEqual(['accuracy', 'area_mm2', 'energy_mj', 'latency_ms', 'model_kb']);
    expect(metrics.figures.accuracy).toEqual({ value: 0.871, unit: 'fraction', provenance: input().provenance.accuracy });
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| latency_ms | 1.25 | ms | cost-model |');
    expect(readme).toContain('Bit-widths are chosen per-layer');
    expect(arch.quantization.granularity).toEqual({ bitWidth: 'per-layer', weightScale: 'per-output-channel', activationScale: 'per-tensor' });
    expect(readme).toContain('2 layers');
    expect(readme).not.toContain('model.onnx');
  });

  it('rejects bad formats, missing provenance, bad bits and a missing model, naming the field', async () => {
    await expectConfigError(writeBundle(path.join(tmp, 'f1'), input({ formats: ['tfjs', 'pdf'] })), 'formats');
    await expectConfigError(writeBundle(path.join(tmp, 'f2'), input({ formats: [] })), 'formats');
    await expectConfigError(writeBundle(path.join(tmp, 'f3'), input({ formats: ['json', 'json'] })), 'formats');
    await expectConfigError(writeBundle(path.join(tmp, 'f4'), input({ provenance: { accuracy: 'eval' } })), 'provenance.latency_ms');
    await expectConfigError(writeBundle(path.join(tmp, 'f5'), input({ bits: [{ layer: 'x', weights: 0, inputs: 8, outputs: 8 }] })), 'bits[0].weights');
    await expectConfigError(writeBundle(path.join(tmp, 'f6'), input({ model: undefined, formats: ['onnx'] })), 'model');
    // Nothing was written for any of them.
    expect((await readdir(tmp)).filter((n) => n.startsWith('f'))).toEqual(['full']);
  });

  it('refuses path traversal, symlinked dirs, symlinked files, dirs outside the root and non-empty dirs', async () => {
    await expectConfigError(writeBundle(`${tmp}/sub/../../escape`, input({ formats: ['json'] })), 'dir');
    const target = path.join(tmp, 'real-target');
    await mkdir(target);
    await symlink(target, path.join(tmp, 'link'));
    await expectConfigError(writeBundle(path.join(tmp, 'link'), input({ formats: ['json'] })), 'dir');
    expect(await readdir(target)).toEqual([]);

    const root = path.join(tmp, 'root');
    await mkdir(root);
    await expectConfigError(writeBundle(path.join(tmp, 'elsewhere'), input({ formats: ['json'], root })), 'dir');
    await symlink(tmp, path.join(root, 'up'));
    await expectConfigError(writeBundle(path.join(root, 'up', 'x'), input({ formats: ['json'], root })), 'dir');
    await writeBundle(path.join(root, 'ok'), input({ formats: ['json'], root }));

    const busy = path.join(tmp, 'busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'notes.txt'), 'keep');
    await expectConfigError(writeBundle(busy, input({ formats: ['json'] })), 'dir');

    const victim = path.join(tmp, 'victim.txt');
    await writeFile(victim, 'untouched');
    await symlink(victim, path.join(busy, 'metrics.json'));
    // removeStale unlinks the planted link itself; the file it pointed to is never written.
    await writeBundle(busy, input({ formats: ['json'], overwrite: true }));
    expect(await readFile(victim, 'utf8')).toBe('untouched');
    expect(await readFile(path.join(busy, 'notes.txt'), 'utf8')).toBe('keep');
  });

  it('overwrite replaces the bundle and drops files of formats no longer written', async () => {
    const dir = path.join(tmp, 'again');
    await writeBundle(dir, input());
    await expectConfigError(writeBundle(dir, input()), 'dir');
    await writeBundle(dir, input({ formats: ['json'], overwrite: true }));
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'accelerator.json', 'arch.json', 'metrics.json']);
  });

  it('an unsupported layer fails before anything is written', async () => {
    const inp = tfl.input({ shape: [4, 4, 1] });
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(inp) as tfl.SymbolicTensor;
    const bad = tfl.model({ inputs: inp, outputs: up });
    const dir = path.join(tmp, 'never');
    await expectConfigError(writeBundle(dir, input({ model: bad })), 'model.layers.up');
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('never writes through a symlink planted at a bundle file name', async () => {
    const dir = path.join(tmp, 'planted');
    await mkdir(dir);
    const victim = path.join(tmp, 'victim2.txt');
    await writeFile(victim, 'untouched');
    await symlink(victim, path.join(dir, 'arch.json'));
    await expectConfigError(writeNoFollow(dir, 'arch.json', '{}'), 'dir');
    await expectConfigError(writeNoFollow(dir, '../arch.json', '{}'), 'file');
    expect(await readFile(victim, 'utf8')).toBe('untouched');
  });

  it('loading refuses weight paths that leave the bundle', async () => {
    const dir = path.join(tmp, 'evil');
    await writeBundle(dir, input({ formats: ['tfjs'] }));
    const mj = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    mj.weightsManifest[0].paths = ['../full/weights.bin'];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(mj));
    await expectConfigError(loadBundleModel(dir), 'file');
    await writeFile(path.join(dir, 'model.json'), '{"not": "a model"}');
    await expectConfigError(loadBundleModel(dir), 'file');
  });
});
