import { strategyConformance } from '../conformance/strategy.case.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { ACC_LAT, evaluate, rngFor, space } from './fixture.ts';

const common = {
  space,
  objectives: ACC_LAT,
  rng: rngFor,
  evaluate,
  constraint: { metric: 'latency', op: '<=' as const, limit: 30 },
};

strategyConformance<Nb201Arch>({
  ...common,
  name: 'random',
  make: (rng, constraints) => createStrategy('random', { space, objectives: ACC_LAT, constraints, rng }),
  steps: 12,
  batch: 5,
  learnsConstraints: false,
});

strategyConformance<Nb201Arch>({
  ...common,
  name: 'evolution',
  make: (rng, constraints) => createStrategy('evolution', { space, objectives: ACC_LAT, constraints, rng }, { population: 20, sampleSize: 5, crossoverProb: 0.3 }),
  steps: 40,
  batch: 3,
  learnsConstraints: true,
});

strategyConformance<Nb201Arch>({
  ...common,
  name: 'nsga2',
  make: (rng, constraints) => createStrategy('nsga2', { space, objectives: ACC_LAT, constraints, rng }, { population: 12 }),
  steps: 30,
  batch: 4,
  learnsConstraints: true,
});
