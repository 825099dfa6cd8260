/**
 * The mbconv surrogate port: its features are the space's own encoding, its candidates round-trip,
 * and its "exact" costs are exact — bit for bit the estimators' figures (accelerator from tables
 * compiled on a worker thread and reloaded from the cache, counters from per-layer tables).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import { CostModel, accelArch, createAccelSpace, type AccelConfig } from '../../hardware/index.ts';
import { acceleratorEstimator } from '../../estimators/accelerator.ts';
import { counterEstimator } from '../../estimators/counter-estimator.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { toGenome } from '../../search-space/mbconv-arch.ts';
import { AcceleratorTables } from '../../platform/accel-tables.ts';
import { createMbconvSurrogatePort } from '../../platform/surrogate-port.ts';

const space = new MbconvSpace({ resolutions: [12, 16], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 });
const accel = createAccelSpace({ areaBudgetMm2: 4 });
const needed = new Set(['accuracy', 'edp_uj_ms', 'energy_uj', 'hw_latency_ms', 'area_mm2', 'macs_m', 'params_k', 'model_kb']);

describe('mbconv surrogate port', () => {
  const cache = mkdtempSync(join(tmpdir(), 'nas-accel-cost-'));
  const rng = new Rng('port');
  const archs = Array.from({ length: 25 }, () => space.sample(rng));
  const hws = [accel.sample(rng), accel.sample(rng)];

  it('features are the space encoding; candidates and parts round-trip', () => {
    const port = createMbconvSurrogatePort({ space, accel: accel as never, preset: null, needed, tables: new AcceleratorTables(space, cache, 1) });
    const G = port.genes.arity.length;
    const genes = new Int32Array(archs.length * G);
    archs.forEach((a, i) => genes.set(toGenome(space.config, a), i * G));
    const f = port.genes.features(genes, archs.length);
    const F = port.genes.featureLength;
    expect(F).toBe(space.encodingLength + 1);
    archs.forEach((a, i) => expect(Array.from(f.subarray(i * F, i * F + space.encodingLength))).toEqual(space.encode(a)));
    // the last feature: log bit-operations (MACs × weight bits × activation bits) scaled to [0, 2] between the smallest and the largest network
    const size = (a: never) => f[archs.indexOf(a) * F + F - 1]!;
    for (const a of archs) expect(size(a as never)).toBeGreaterThanOrEqual(-1e-6);
    const bitOps = (a: (typeof archs)[number]) => space.layers(a).reduce((s, l) => s + l.n * l.m * l.p * l.q * (l.c / l.groups) * l.r * l.s * l.bits.weights * l.bits.inputs, 0);
    const lo = Math.log(bitOps(space.smallest()));
    const hi = Math.log(bitOps(space.largest()));
    // (to 0.5 %: the counters count pooling and the classifier slightly differently from this sum)
    for (const a of archs.slice(0, 5)) expect(size(a as never)).toBeCloseTo((2 * (Math.log(bitOps(a)) - lo)) / (hi - lo), 2);
    // the other corners of size × precision: the largest network at the lowest bits, the smallest at the highest
    const corners = (port.genes.corners ?? []).map((g) => (port.candidate(g, hws[0] as JsonObject) as { arch: { resolution: number; stages: { blocks: { wbits: number; abits: number }[] }[] } }).arch);
    expect(corners).toHaveLength(2);
    expect(corners[0]!.stages.flatMap((s) => s.blocks.map((b) => [b.wbits, b.abits]))).toEqual(space.largest().stages.flatMap((s) => s.blocks.map(() => [4, 4])));
    expect(corners[1]!.stages.flatMap((s) => s.blocks.map((b) => [b.wbits, b.abits]))).toEqual(space.smallest().stages.flatMap((s) => s.blocks.map(() => [8, 8])));
    const x = port.candidate(toGenome(space.config, archs[0]!), hws[0] as JsonObject);
    expect(port.parts(x)).toEqual({ genes: toGenome(space.config, archs[0]!), hw: hws[0] });
    expect(space.key((port.candidate(port.genes.largest, hws[0] as JsonObject) as { arch: never }).arch)).toBe(space.key(space.largest()));
    expect(space.key((port.candidate(port.genes.smallest, hws[0] as JsonObject) as { arch: never }).arch)).toBe(space.key(space.smallest()));
  });

  it('exact costs equal the estimators bit for bit, from a table compiled on a worker and from the cache', async () => {
    const compiled = new AcceleratorTables(space, cache, 2);
    const port = createMbconvSurrogatePort({ space, accel: accel as never, preset: null, needed, tables: compiled });
    await port.prepare(hws as JsonObject[]);
    expect(compiled.stats.compiled + compiled.stats.loaded).toBe(2);
    const reloaded = new AcceleratorTables(space, cache, 1);
    const again = createMbconvSurrogatePort({ space, accel: accel as never, preset: null, needed, tables: reloaded });
    await again.prepare(hws as JsonObject[]);
    expect(reloaded.stats).toMatchObject({ compiled: 0, loaded: 2 });
    const model = new CostModel();
    const hardware = acceleratorEstimator(space, model, (hw) => accelArch(hw as AccelConfig));
    const counters = counterEstimator(space);
    const G = port.genes.arity.length;
    const genes = new Int32Array(archs.length * G);
    archs.forEach((a, i) => genes.set(toGenome(space.config, a), i * G));
    for (const hw of hws) {
      const cols = port.exactCost(genes, archs.length, hw as JsonObject);
      const colsAgain = again.exactCost(genes, archs.length, hw as JsonObject);
      for (const [i, a] of archs.entries()) {
        const want = { ...(await hardware.estimate(a, hw)).values, ...(await counters.estimate(a)).values };
        port.costMetrics.forEach((m, k) => {
          expect(cols[k]![i]).toBe(want[m]);
          expect(colsAgain[k]![i]).toBe(want[m]);
        });
      }
    }
    expect(port.costMetrics).toEqual(['hw_latency_ms', 'energy_uj', 'edp_uj_ms', 'area_mm2', 'macs_m', 'params_k', 'model_kb']);
    // screening (layers mapped one by one on a worker, no table) gives the same figures
    const nets = archs.slice(0, 4).map((a) => toGenome(space.config, a));
    const screened = await port.screen(hws as JsonObject[], nets);
    hws.forEach((hw, h) => {
      const cols = port.exactCost(Int32Array.from(nets.flat()), nets.length, hw as JsonObject);
      cols.forEach((col, k) => expect(Array.from(screened[h]![k]!)).toEqual(Array.from(col)));
    });
    await compiled.close();
    await reloaded.close();
  }, 300_000);

  it('refuses a cost of an accelerator whose table was not prepared', () => {
    const port = createMbconvSurrogatePort({ space, accel: accel as never, preset: null, needed, tables: new AcceleratorTables(space, cache, 1) });
    expect(() => port.exactCost(new Int32Array(port.genes.arity.length), 1, accel.sample(new Rng(99)) as JsonObject)).toThrow(/not compiled/);
  });
});
