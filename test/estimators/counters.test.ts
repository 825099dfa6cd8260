import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../core/types.ts';
import { countLayers } from '../../estimators/counters.ts';
import { ConfigError } from '../../core/errors.ts';

const b8 = { weights: 8, inputs: 8, outputs: 8 };
function layer(p: Partial<LayerSpec> & Pick<LayerSpec, 'name' | 'kind' | 'c' | 'm' | 'h' | 'r'>): LayerSpec {
  const stride = p.stride ?? 1;
  const padding = Math.floor((p.r - 1) / 2);
  const out = Math.floor((p.h + 2 * padding - p.r) / stride) + 1;
  return { n: 1, w: p.h, p: out, q: out, s: p.r, stride, groups: 1, padding, bits: b8, ...p };
}

// stem 3×3 1→4 at 8×8, MBConv (expand 4→8, depthwise 3×3, project 8→4 with a residual), FC 4·8·8→10.
const net: LayerSpec[] = [
  layer({ name: 'stem', kind: 'conv', c: 1, m: 4, h: 8, r: 3 }),
  layer({ name: 'expand', kind: 'pointwise', c: 4, m: 8, h: 8, r: 1, bits: { weights: 4, inputs: 8, outputs: 4 } }),
  layer({ name: 'dw', kind: 'depthwise', c: 8, m: 8, h: 8, r: 3, groups: 8, bits: { weights: 4, inputs: 4, outputs: 4 } }),
  layer({ name: 'project', kind: 'pointwise', c: 8, m: 4, h: 8, r: 1, residualFrom: 'expand', bits: { weights: 4, inputs: 4, outputs: 8 } }),
  layer({ name: 'fc', kind: 'fc', c: 256, m: 10, h: 1, r: 1 }),
];

describe('countLayers', () => {
  it('matches hand-computed MACs, parameters and bytes', () => {
    const c = countLayers(net);
    // MACs: stem 64·4·9 = 2304; expand 64·8·4 = 2048; dw 64·8·9 = 4608; project 64·4·8 = 2048; fc 2560.
    expect(c.perLayer.map((l) => l.macs)).toEqual([2304, 2048, 4608, 2048, 2560]);
    expect(c.macs).toBe(13568);
    // Params (weights + folded bias): 36+4, 32+8, 72+8, 32+4, 2560+10.
    expect(c.perLayer.map((l) => l.params)).toEqual([40, 40, 80, 36, 2570]);
    expect(c.params).toBe(2766);
    // Bytes: stem 36 B + 16 B; expand 16 + 32; dw 36 + 32; project 16 + 16; fc 2560 + 40.
    expect(c.perLayer.map((l) => l.modelBytes)).toEqual([52, 48, 68, 32, 2600]);
    expect(c.modelBytes).toBe(2800);
  });

  it('counts residual sources in the peak activation memory', () => {
    const c = countLayers(net);
    // Expand input (4·64 B) stays live during dw and project: dw 256 + 256 + 256 = 768 (4-bit tensors 8·64/2).
    expect(c.perLayer.map((l) => l.liveBytes)).toEqual([64 + 256, 256 + 256, 256 + 256 + 256, 256 + 256 + 256, 256 + 10]);
    expect(c.peakActivationBytes).toBe(768);
    expect(c.peakLayer).toBe('dw');
  });

  it('counts unfolded batch norm as four vectors per channel', () => {
    const c = countLayers(net, { bnFolded: false });
    expect(c.perLayer.map((l) => l.params)).toEqual([36 + 16, 32 + 32, 72 + 32, 32 + 16, 2570]);
  });

  it('rejects bad input naming the field', () => {
    expect(() => countLayers([])).toThrow(ConfigError);
    expect(() => countLayers(net, { biasBits: 0 })).toThrow(/biasBits/);
    const bad = net.map((l) => (l.name === 'project' ? { ...l, residualFrom: 'nope' } : l));
    expect(() => countLayers(bad)).toThrow(/layers\[3\]\.residualFrom/);
  });
});
