/**
 * Cost-model speed: a 20-layer network on one accelerator, cold (mapper runs for every layer) and
 * warm (cache hits), layers mapped per second and mapper candidate evaluations per second.
 * Prints medians over runs; the cold line also gives the process CPU time, which contention from
 * other processes inflates less than the wall time. Usage: npx tsx bench/hw.ts [preset] [runs]
 */
import type { LayerSpec } from '../core/types.ts';
import { Rng } from '../core/rng.ts';
import { CostModel } from '../hardware/cost-model.ts';
import { analyze } from '../hardware/model/analysis.ts';
import { randomMapping } from '../hardware/mapper/mapper.ts';
import { preset } from '../hardware/presets.ts';
import { fromLayer } from '../hardware/workload.ts';

const presetName = process.argv[2] ?? 'eyeriss';
const runs = Number(process.argv[3] ?? 5);

/** MobileNet-v1-like: 1 conv + 9 depthwise/pointwise pairs + fc = 20 layers at 8 b. */
function network(): LayerSpec[] {
  const bits = { weights: 8, inputs: 8, outputs: 8 };
  const L = (name: string, kind: LayerSpec['kind'], c: number, m: number, h: number, r: number, stride: number): LayerSpec => {
    const pad = Math.floor((r - 1) / 2);
    const p = Math.floor((h + 2 * pad - r) / stride) + 1;
    return { name, kind, n: 1, c, m, h, w: h, p, q: p, r, s: r, stride, groups: kind === 'depthwise' ? c : 1, padding: pad, bits };
  };
  const out = [L('conv0', 'conv', 3, 32, 224, 3, 2)];
  const cfg: [number, number, number][] = [[32, 64, 1], [64, 128, 2], [128, 128, 1], [128, 256, 2], [256, 256, 1], [256, 512, 2], [512, 512, 1], [512, 512, 1], [512, 1024, 2]];
  let h = 112;
  cfg.forEach(([c, m, s], i) => {
    out.push(L(`dw${i}`, 'depthwise', c, c, h, 3, s));
    h = Math.floor((h + 2 - 3) / s) + 1;
    out.push(L(`pw${i}`, 'pointwise', c, m, h, 1, 1));
  });
  out.push({ ...L('fc', 'fc', 1024, 1000, 1, 1, 1) });
  return out;
}

const median = (xs: number[]): number => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const layers = network();
const arch = preset(presetName);
const cold: number[] = [];
const coldCpu: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const cm = new CostModel({ seed: i + 1 });
  let t = performance.now();
  const cpu = process.cpuUsage();
  cm.evaluate(layers, arch);
  cold.push(performance.now() - t);
  const used = process.cpuUsage(cpu);
  coldCpu.push((used.user + used.system) / 1000);
  t = performance.now();
  cm.evaluate(layers, arch);
  warm.push(performance.now() - t);
}
const p = fromLayer(layers[5] as LayerSpec);
const rng = new Rng(1);
const maps = Array.from({ length: 2000 }, () => randomMapping(p, arch, rng));
const evalRates: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  for (const m of maps) analyze(p, arch, m);
  evalRates.push(maps.length / ((performance.now() - t) / 1000));
}
const c = median(cold);
console.log(`preset ${presetName}, ${layers.length} layers, ${runs} runs (medians)`);
console.log(`cold evaluate (mapper per layer): ${c.toFixed(1)} ms  -> ${(layers.length / (c / 1000)).toFixed(0)} layers mapped/s   (goal ≤ 300 ms; CPU time ${median(coldCpu).toFixed(1)} ms)`);
console.log(`warm evaluate (cache hits):       ${median(warm).toFixed(3)} ms   (goal ≤ 1 ms)`);
console.log(`model evaluations (analyze):      ${median(evalRates).toFixed(0)} mappings/s`);
