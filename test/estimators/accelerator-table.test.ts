import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { CostModel, layerKey, presetNames } from '../../hardware/index.ts';
import { acceleratorEstimator } from '../../estimators/accelerator.ts';
import { costModelFingerprint } from '../../estimators/cost-model-fingerprint.ts';
import { cachedAcceleratorCost, compileAcceleratorCost, compiledAcceleratorEstimator } from '../../estimators/accelerator-table.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { toGenome } from '../../search-space/mbconv-arch.ts';

// Two choices of everything: every code path of the tables (resolution, depth, width, kernel,
// expand, bits, the consumer's bits) at a size the mapper covers in a few seconds.
const space = new MbconvSpace({
  resolutions: [12, 16], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16,
  depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2, 4], weightBits: [4, 8], activationBits: [4, 8],
});
const [hwName, otherName] = presetNames() as [string, string];

describe('compiled accelerator cost table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-accel-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const model = new CostModel();
  const built = cachedAcceleratorCost(space, model, hwName, dir);
  const compiled = built.compiled;
  const reference = acceleratorEstimator(space, new CostModel(), () => hwName);
  const rng = new Rng(11);
  const archs = [space.largest(), space.smallest(), ...Array.from({ length: 60 }, () => space.sample(rng))];

  it('gives acceleratorEstimator values bit for bit on random archs', async () => {
    const est = compiledAcceleratorEstimator(space, compiled);
    for (const arch of archs) {
      const want = (await reference.estimate(arch, null)).values;
      expect((await est.estimate(arch, null)).values).toStrictEqual(want);
    }
  });

  it("holds the mapper's own per-layer cycles and energy for each layer of an arch", () => {
    const fresh = new CostModel();
    for (const arch of archs.slice(0, 6)) {
      const g = toGenome(space.config, arch);
      const layers = space.layers(arch);
      // One term per layer slot in layer order; present layers are the arch's layers in order.
      const entries = compiled.energyPj.terms.map((t) => t.table[t.groups.reduce((at, gi) => at * (compiled.energyPj.arity[gi] as number) + (g[gi] as number), 0)] as number);
      const present = entries.filter((_, i) => {
        const t = compiled.cycles.terms[i]!;
        return (t.table[t.groups.reduce((at, gi) => at * (compiled.cycles.arity[gi] as number) + (g[gi] as number), 0)] as number) > 0;
      });
      expect(present).toEqual(layers.map((l) => fresh.evaluate([l], hwName).energyPj));
    }
  });

  it('maps each distinct layer of the space exactly once', () => {
    const distinct = new Set<string>();
    for (const arch of archs) for (const l of space.layers(arch)) distinct.add(layerKey(l));
    expect(compiled.mappedLayers).toBe(model.cacheStats().size);
    expect(compiled.mappedLayers).toBeGreaterThanOrEqual(distinct.size);
    const again = compileAcceleratorCost(space, model, hwName);
    expect(again.mappedLayers).toBe(0);
    expect(again.buildMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a candidate on another accelerator, and an invalid arch', async () => {
    const est = compiledAcceleratorEstimator(space, compiled, (hw) => (hw && typeof hw['preset'] === 'string' ? hw['preset'] : hwName));
    await expect(est.estimate(space.smallest(), { preset: otherName })).rejects.toThrow(new RegExp(`compiled cost table is for accelerator ${hwName}`));
    await expect(est.estimate({ bad: 1 }, null)).rejects.toThrow();
  });

  it('reloads from its cache file without mapping, with identical costs', () => {
    expect(built.loaded).toBe(false);
    const fresh = new CostModel();
    const again = cachedAcceleratorCost(space, fresh, hwName, dir);
    expect(again).toMatchObject({ loaded: true, file: built.file });
    expect(fresh.cacheStats().misses).toBe(0);
    expect(again.compiled.mappedLayers).toBe(compiled.mappedLayers);
    for (const arch of archs) expect(again.compiled.cost(arch)).toStrictEqual(compiled.cost(arch));
  });

  it('rebuilds a cache file written by another version of the cost model (its source fingerprint differs)', () => {
    const text = readFileSync(built.file, 'utf8');
    expect(text).toContain(costModelFingerprint());
    writeFileSync(built.file, text.split(costModelFingerprint()).join('0123456789abcdef'));
    const again = cachedAcceleratorCost(space, new CostModel(), hwName, dir);
    expect(again.loaded).toBe(false);
    for (const arch of archs.slice(0, 5)) expect(again.compiled.cost(arch)).toStrictEqual(compiled.cost(arch));
    expect(cachedAcceleratorCost(space, new CostModel(), hwName, dir).loaded).toBe(true);
  });
});
