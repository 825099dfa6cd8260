/** `nas hw eval` service and CLI: Timeloop files with a given mapping, presets, SCALE-Sim .cfg → systolic mode. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { hwEval } from '../../hardware/eval-files.ts';
import { presetNames } from '../../hardware/presets.ts';
import { REF_ROOT } from './timeloop-stats.ts';
import { needsReferenceData } from '../reference-data.ts';

const layersFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-'));
  const f = join(dir, 'net.json');
  const l = { name: 'c', kind: 'conv', n: 1, c: 8, m: 16, h: 8, w: 8, p: 8, q: 8, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 } };
  writeFileSync(f, JSON.stringify([l, { ...l, name: 'd', c: 16 }]));
  return f;
};

describe('hwEval', () => {
  it('maps a LayerSpec JSON workload on a preset and reports per-level accesses', () => {
    const r = hwEval({ arch: 'simple-ws', workload: layersFile(), seed: 1 });
    if (r.mode !== 'timeloop') throw new Error('expected timeloop mode');
    expect(r.layers.map((l) => l.name)).toEqual(['c', 'd']);
    expect(r.cycles).toBe(r.layers.reduce((s, l) => s + l.cycles, 0));
    const dram = r.layers[0]?.levels.find((l) => l.level === 'DRAM');
    expect(dram?.tensors.Weights?.reads).toBeGreaterThanOrEqual(8 * 16 * 9);
  });

  it('rejects an unknown preset naming --arch', () => {
    expect(() => hwEval({ arch: 'nope', workload: layersFile() })).toThrow(/--arch/);
  });

  it.skipIf(!REF_ROOT)(`Timeloop tutorial 03 files with the given mapping reproduce the reference cycles and energy${needsReferenceData('timeloop-ref-outputs')}`, () => {
    const t = join(REF_ROOT as string, 'tutorial/03-model-conv1d+oc-3level');
    const r = hwEval({ arch: join(t, 'arch/3level.arch.yaml'), workload: join(t, 'prob/conv1d+oc.prob.yaml'), mapping: join(t, 'map/conv1d+oc-3level-bypass.map.yaml'), ert: join(t, 'ref-output/bypass') });
    if (r.mode !== 'timeloop') throw new Error('expected timeloop mode');
    expect(r.cycles).toBe(1536);
    // stats.txt: fJ/Compute total 39369.71 × 1536 computes.
    expect(r.energyPj / (39369.71 * 1.536) - 1).toBeLessThan(1e-5);
  });

  it.skipIf(!REF_ROOT)(`a SCALE-Sim .cfg runs in systolic mode${needsReferenceData('timeloop-ref-outputs')}`, () => {
    const g = join(REF_ROOT as string, '../scalesim-v2-golden');
    const r = hwEval({ arch: join(g, 'configs_scale.cfg'), workload: join(g, 'topologies_conv_nets_alexnet_part.csv') });
    expect(r.mode).toBe('systolic');
  });
});

describe('nas hw', () => {
  it('presets --json lists every preset with its node, core area and source; eval --json prints the report', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
    try {
      expect(await main(['node', 'nas', 'hw', 'presets', '--json'])).toBe(0);
      const rows = JSON.parse(out.join('')) as { name: string; technologyNm: number; areaMm2: number; componentsMm2: number; source: string }[];
      expect(rows.map((r) => r.name)).toEqual(presetNames());
      for (const r of rows) {
        expect(r.technologyNm, r.name).toBeGreaterThan(0);
        expect(r.areaMm2, r.name).toBeGreaterThan(r.componentsMm2);
        expect(r.source.length, r.name).toBeGreaterThan(10);
      }
      out.length = 0;
      expect(await main(['node', 'nas', 'hw', 'eval', '--arch', 'simple-os', '--workload', layersFile(), '--json'])).toBe(0);
      expect((JSON.parse(out.join('')) as { layers: unknown[] }).layers.length).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
