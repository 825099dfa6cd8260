import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initTf } from '../../runtime/tf.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import type { Joint } from '../../core/space/joint.ts';
import { productSpace } from '../../core/space/joint.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { Nb201Space } from '../../search-space/nb201.ts';
import { createAccelSpace } from '../../hardware/index.ts';
import { searchSpaceConformance } from '../conformance/search-space.case.ts';
import type { ObjectiveSpec } from '../../strategies/objectives.ts';
import { strategyConformance } from '../conformance/strategy.case.ts';
import { rngFor, space } from '../strategies/fixture.ts';
import { evaluateJoint, hwSpace } from '../strategies/fixture-hw.ts';
import type { ToyHw } from '../strategies/fixture-hw.ts';
import { tensorPolicies } from '../../runtime/gru-policy.ts';

await initTf();

const joint = productSpace(space, hwSpace);

const accel4 = () => createAccelSpace({ areaBudgetMm2: 4 });
searchSpaceConformance('product nb201 × accelerator (4 mm² budget)', () => productSpace(new Nb201Space(), accel4()), {
  size: 15_625n * accel4().size(),
  samples: 20,
  bad: [
    { label: 'a bare arch', value: { ops: ['none'] }, field: 'ops' },
    { label: 'an extra field', value: { arch: {}, hw: {}, x: 1 }, field: 'x' },
    { label: 'a bad cell', value: { arch: { ops: ['conv'] }, hw: {} }, field: 'ops' },
  ],
});
const OBJ3: readonly ObjectiveSpec[] = [
  { name: 'accuracy', direction: 'max' },
  { name: 'latency', direction: 'min' },
  { name: 'energy', direction: 'min' },
];

describe('product space', () => {
  it('is a SearchSpace over (arch, hw) pairs', () => {
    const rng = new Rng(1);
    expect(joint.size()).toBe(15_625n * 9n);
    expect(joint.encodingLength).toBe(36);
    expect(joint.decisions()).toEqual([5, 5, 5, 5, 5, 5, 3, 3]);
    for (let i = 0; i < 50; i++) {
      const x = joint.sample(rng);
      expect(joint.key(joint.decode(joint.encode(x)))).toBe(joint.key(x));
      const y = joint.mutate(x, rng, 0.1);
      expect(joint.key(y)).not.toBe(joint.key(x));
      expect(joint.key(joint.validate(joint.crossover(x, y, rng)))).toMatch(/ @ pe\d+-buf\d+$/);
    }
    expect(() => joint.validate({ arch: joint.sample(rng).arch, hw: { pes: 7, bufferKb: 64 } })).toThrow(/pes/);
    expect(() => joint.validate({ arch: {}, hw: {}, extra: 1 })).toThrow(/extra/);
  });
});

const common = {
  space: joint,
  objectives: OBJ3,
  rng: rngFor,
  evaluate: evaluateJoint,
  constraint: { metric: 'latency', op: '<=' as const, limit: 40 },
  learnsConstraints: true,
};

type J = Joint<Nb201Arch, ToyHw>;
strategyConformance<J>({ ...common, name: 'evolution × hw (joint)', make: (rng, constraints) => createStrategy('evolution', { space: joint, objectives: OBJ3, constraints, rng }, { population: 16, sampleSize: 4 }), steps: 30, batch: 3 });
strategyConformance<J>({ ...common, name: 'nsga2 × hw (joint, 3 objectives)', make: (rng, constraints) => createStrategy('nsga2', { space: joint, objectives: OBJ3, constraints, rng }, { population: 10 }), steps: 25, batch: 4 });
strategyConformance<J>({ ...common, name: 'reinforce × hw (joint)', make: (rng, constraints) => createStrategy('reinforce', { space: joint, objectives: OBJ3, constraints, rng, policies: tensorPolicies }, { learningRate: 0.05, constraintPenalty: 5, hidden: 16, resampleKnown: 2 }), steps: 12, batch: 4 });
strategyConformance<J>({
  ...common,
  name: 'nested (outer random hw, inner evolution)',
  make: (rng, constraints) => createStrategy('nested', { space: joint, objectives: OBJ3, constraints, rng }, { outer: 'random', inner: 'evolution', innerOptions: { population: 4, sampleSize: 2 }, innerBudget: 6 }),
  steps: 60,
  batch: 3,
  learnsConstraints: false,
});

describe('nested mode', () => {
  it('keeps one hw per round of innerBudget trials and tells the outer strategy', async () => {
    const s = createStrategy<J>('nested', { space: joint, objectives: OBJ3, rng: rngFor(3) }, { outer: 'evolution', outerOptions: { population: 2, sampleSize: 1 }, inner: 'random', innerBudget: 5 });
    const hws: string[] = [];
    for (let round = 0; round < 4; round++) {
      const cs = [...s.ask(3), ...s.ask(3)];
      expect(cs).toHaveLength(5);
      hws.push(...new Set(cs.map((c) => hwSpace.key(c.x.hw))));
      s.tell(cs.map((c) => ({ candidate: c, ok: true as const, metrics: { accuracy: 1, latency: 1, energy: 1 }, values: [-1, 1, 1], violation: 0 })));
    }
    expect(hws).toHaveLength(4);
    expect(() => { s.ask(2); s.ask(5); s.ask(1); }).toThrow(/tell the results/);
  });
});
