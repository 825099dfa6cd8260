import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKernels } from '../../runtime/kernels/install.ts';
import { Rng } from '../../core/rng.ts';
import { initTf, tf } from '../../runtime/tf.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import type { BnMode } from '../../supernet/elastic.ts';
import { MbconvSupernet } from '../../supernet/mbconv-supernet.ts';
import { Sgd } from '../../supernet/optimizer.ts';
import { sandwichArchs, sandwichGradients } from '../../supernet/sandwich.ts';
import { syntheticBatch, tinySpace } from './tiny.ts';
installKernels();

const TRAIN: BnMode = { kind: 'train' };
const space = tinySpace();
const cfg = space.config;

/** Single-choice variations of the smallest arch: every value of every field appears once. */
function variations(): MbconvArch[] {
  const base = space.smallest();
  const out: MbconvArch[] = [];
  for (const r of cfg.resolutions) out.push({ ...base, resolution: r });
  base.stages.forEach((_, s) => {
    const setStage = (patch: object) => ({ ...base, stages: base.stages.map((st, i) => (i === s ? { ...st, ...patch } : st)) });
    for (const depth of cfg.depths) out.push(setStage({ depth }));
    for (const width of cfg.widths) out.push(setStage({ width }));
    for (const [field, values] of [['kernel', cfg.kernels], ['expand', cfg.expands], ['wbits', cfg.weightBits], ['abits', cfg.activationBits]] as const) {
      for (const v of values) out.push(setStage({ depth: 2, blocks: base.stages[s]?.blocks.map((b) => ({ ...b, [field]: v })) }));
    }
  });
  out.push(space.largest());
  return out;
}

describe('MbconvSupernet', () => {
  let net: MbconvSupernet;
  beforeAll(async () => {
    await initTf('wasm');
    net = new MbconvSupernet(cfg, new Rng('net'));
  });
  afterAll(() => net.dispose());

  it('gives [batch, classes] logits for every choice of every field', () => {
    const archs = variations();
    expect(archs.length).toBeGreaterThan(20);
    for (const arch of archs) {
      const { x, y } = syntheticBatch('shape', 3, arch.resolution);
      const logits = net.forward(x, space.validate(arch), TRAIN);
      expect(logits.shape).toEqual([3, cfg.numClasses]);
      expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, y, logits]);
    }
  });

  it('different subnets compute different functions of the shared weights', () => {
    const { x, y } = syntheticBatch('diff', 4, 16);
    const a = net.forward(x, { ...space.largest(), resolution: 16 }, TRAIN);
    const b = net.forward(x, { ...space.smallest(), resolution: 16 }, TRAIN);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([x, y, a, b]);
  });

  it('forward and a sandwich step leak no tensors', () => {
    const sgd = new Sgd();
    const { x, y } = syntheticBatch('leak', 4, 16);
    const step = (seed: string) => {
      const inputs = new Map<number, tf.Tensor4D>();
      const input = (r: number) => {
        let t = inputs.get(r);
        if (!t) inputs.set(r, (t = r === 16 ? x : (tf.image.resizeBilinear(x, [r, r], true) as tf.Tensor4D)));
        return t;
      };
      const res = sandwichGradients(net, sandwichArchs({ largest: space.largest(), smallest: space.smallest(), sample: (rng) => space.sample(rng) }, new Rng(seed), 2), input, y, 10);
      sgd.apply(net.params.variables(), res.grads, 0.01);
      tf.dispose(Object.values(res.grads));
      for (const [r, t] of inputs) if (r !== 16) t.dispose();
    };
    step('warm'); // creates the optimizer's velocity variables once
    const before = tf.memory().numTensors;
    tf.dispose(net.forward(x, space.largest(), TRAIN));
    step('again');
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    tf.dispose([x, y]);
  });
});

describe('a training step on a small subnet', () => {
  it('changes exactly the weight slices the subnet uses', async () => {
    await initTf('wasm');
    const net = new MbconvSupernet(cfg, new Rng('slices'));
    const arch = space.smallest(); // depth 1, width 0.5, kernel 3, expand 2 everywhere
    const before = new Map(net.params.names().map((n) => [n, Float32Array.from(net.params.get(n).dataSync())]));
    const { x, y } = syntheticBatch('slices', 6, arch.resolution);
    const vars = net.params.variables();
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), net.forward(x, arch, TRAIN)) as tf.Scalar, vars);
    const sgd = new Sgd();
    sgd.apply(vars, grads, 0.1);
    tf.dispose([value, x, y, ...Object.values(grads)]);

    /** Elements inside box [start, end) per axis must have changed somewhere; outside never. */
    const check = (name: string, box: readonly (readonly [number, number])[]) => {
      const v = net.params.get(name);
      const now = v.dataSync();
      const old = before.get(name) as Float32Array;
      const shape = v.shape;
      let changedInside = false;
      for (let i = 0; i < now.length; i++) {
        let rem = i;
        let inside = true;
        for (let a = shape.length - 1; a >= 0; a--) {
          const idx = rem % (shape[a] as number);
          rem = Math.floor(rem / (shape[a] as number));
          const [lo, hi] = box[a] as readonly [number, number];
          if (idx < lo || idx >= hi) inside = false;
        }
        if (inside) changedInside ||= now[i] !== old[i];
        else if (now[i] !== old[i]) throw new Error(`${name}[${i}] changed outside the used slice`);
      }
      if (box.length > 0 && !changedInside) throw new Error(`${name}: used slice did not change`);
      seen.add(name);
    };
    const seen = new Set<string>();
    const all = (n: number) => [0, n] as const;
    // stage channels at width 0.5: 4 and 8; hidden = cin·2
    const blocks = [
      { name: 'stage0.block0', cin: 8, hidden: 16, cout: 4 },
      { name: 'stage1.block0', cin: 4, hidden: 8, cout: 8 },
    ];
    for (const b of blocks) {
      check(`${b.name}.expand.w`, [all(1), all(1), [0, b.cin], [0, b.hidden]]);
      check(`${b.name}.depthwise.w`, [[1, 4], [1, 4], [0, b.hidden], all(1)]); // 3×3 centre of 5×5
      check(`${b.name}.depthwise.t3`, [all(9), all(9)]);
      check(`${b.name}.project.w`, [all(1), all(1), [0, b.hidden], [0, b.cout]]);
      for (const [layer, c] of [['expand', b.hidden], ['depthwise', b.hidden], ['project', b.cout]] as const) {
        check(`${b.name}.${layer}.bn.gamma`, [[0, c]]);
        check(`${b.name}.${layer}.bn.beta`, [[0, c]]);
      }
    }
    check('head.w', [all(1), all(1), [0, 8], all(16)]);
    // everything else of the unused second blocks stays put
    for (const name of net.params.names()) {
      if (name.includes('.block1.')) {
        expect(Array.from(net.params.get(name).dataSync())).toEqual(Array.from(before.get(name) as Float32Array));
        seen.add(name);
      }
    }
    expect(net.params.names().filter((n) => !seen.has(n)).sort()).toEqual(
      ['fc.b', 'fc.w', 'head.bn.beta', 'head.bn.gamma', 'stem.bn.beta', 'stem.bn.gamma', 'stem.w'],
    );
    sgd.dispose();
    net.dispose();
  });
});

describe('determinism', () => {
  const run = (seed: string) => {
    const net = new MbconvSupernet(cfg, new Rng(seed));
    const sgd = new Sgd();
    const rng = new Rng(`${seed}-steps`);
    const losses: number[] = [];
    for (let s = 0; s < 2; s++) {
      const { x, y } = syntheticBatch(`batch${s}`, 4, 16);
      const input = (r: number) => (r === 16 ? x : (tf.image.resizeBilinear(x, [r, r], true) as tf.Tensor4D));
      const res = sandwichGradients(net, sandwichArchs({ largest: space.largest(), smallest: space.smallest(), sample: (g) => space.sample(g) }, rng, 2), input, y, 10);
      losses.push(...res.losses);
      sgd.apply(net.params.variables(), res.grads, 0.05);
      tf.dispose([x, y, ...Object.values(res.grads)]);
    }
    const weights = net.params.serialize();
    sgd.dispose();
    net.dispose();
    return { losses, weights };
  };

  it('same seed ⇒ same initial weights, same losses and same trained weights', async () => {
    await initTf('wasm');
    const a0 = new MbconvSupernet(cfg, new Rng('same'));
    const b0 = new MbconvSupernet(cfg, new Rng('same'));
    const c0 = new MbconvSupernet(cfg, new Rng('other'));
    expect(a0.params.serialize().equals(b0.params.serialize())).toBe(true);
    expect(a0.params.serialize().equals(c0.params.serialize())).toBe(false);
    [a0, b0, c0].forEach((n) => n.dispose());
    const a = run('same');
    const b = run('same');
    expect(a.losses).toHaveLength(8);
    expect(a.losses).toEqual(b.losses);
    expect(a.weights.equals(b.weights)).toBe(true);
    const c = run('other');
    expect(c.losses).not.toEqual(a.losses);
  });
});
