import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import type { JsonObject } from '../../core/types.ts';
import { parseExperiment } from '../../platform/config.ts';
import { createPlatform, objectiveSpecs, type Platform } from '../../platform/create-platform.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { pixelStats } from '../../supernet/batches.ts';
import { saveTrainCheckpoint, spaceConfigJson } from '../../supernet/checkpoint.ts';
import { Sgd } from '../../supernet/optimizer.ts';
import { evaluateSubnet } from '../../supernet/evaluate.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { runInMemory } from '../../strategies/evaluation.ts';
import { createStrategy } from '../../strategies/registry.ts';
installKernels();

const spaceConfig = {
  resolutions: [12, 16], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2], weightBits: [8], activationBits: [8],
  stemChannels: 8, stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], headChannels: 16,
};

describe('platform wiring of the differentiable strategy', () => {
  let dir = '';
  let platform: Platform;
  beforeAll(async () => {
    await initTf('wasm');
    dir = mkdtempSync(join(tmpdir(), 'nas-diff-'));
    const space = new MbconvSpace(spaceConfig);
    const net = new MbconvSupernet(space.config, new Rng('ckpt'));
    const data = loadDataset('fashion-mnist');
    const norm = pixelStats(data.train);
    // The accuracy source re-measures the recorded largest-subnet accuracy: record what this untrained net scores.
    const options = { calibImages: 8, valLimit: 20, seed: 'ckpt' };
    const measured = evaluateSubnet(net, space.largest(), { train: data.train, val: data.val, norm }, { ...options, seed: 'ckpt:calibration' }).accuracy;
    const epoch = { epoch: 1, loss: 2.3, trainAccuracy: 0.1, valAccuracyLargest: measured, valAccuracySmallest: measured, imagesPerSecond: 1, seconds: 1 };
    saveTrainCheckpoint(dir, net, new Sgd(), new Rng(1), {
      dataset: 'fashion-mnist', spaceConfig: spaceConfigJson(space), supernetOptions: net.options, norm, options, epochsDone: 1, step: 1, history: [epoch],
    });
    net.dispose();
    const cfg = parseExperiment({
      seed: 2, space: 'mbconv', spaceConfig,
      accuracy: { source: 'supernet', checkpoint: dir, valLimit: 20, calibImages: 8 },
      hardware: { mode: 'joint', areaBudgetMm2: 4 },
      strategy: { name: 'differentiable', options: { stepsPerAsk: 1, batchSize: 8, hwPool: 2, costs: { energy_uj: 0.5 }, quantize: false } },
      objectives: ['accuracy', 'energy_uj'],
      constraints: ['macs_m<=0.05'],
      budget: 4,
    });
    platform = await createPlatform(cfg, { predictors: new MemoryStorage() });
  });
  afterAll(() => platform?.dispose());

  it('builds the relaxed problem from the checkpoint, with the accelerator pool as a decision and tables for costs and constraints', () => {
    const p = platform.relaxed!;
    expect(p).toBeDefined();
    expect(p.arity[p.arity.length - 1]).toBe(2);
    expect([...p.costMetrics].sort()).toEqual(['energy_uj', 'macs_m']);
    expect(p.trainSize).toBeGreaterThan(1000);
  });

  it('runs a short search whose candidates the platform evaluates', async () => {
    const before = tf.memory().numTensors;
    const objectives = objectiveSpecs(platform.objectives);
    const strategy = createStrategy<JsonObject>('differentiable', {
      space: platform.space, objectives, constraints: platform.constraints, rng: new Rng(2).fork('strategy'), relaxed: platform.relaxed!,
    }, { stepsPerAsk: 1, batchSize: 8, costs: { energy_uj: 0.5 } });
    const results = await runInMemory({ strategy, objectives, constraints: platform.constraints, evaluate: (c) => platform.evaluate(c.x), budget: 4, batch: 2 });
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    for (const r of results) if (r.ok) expect(r.metrics['accuracy']).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 40); // relaxed-forward constants built once
  });
});
