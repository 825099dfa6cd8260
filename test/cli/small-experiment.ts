/** A small, dataset-free experiment for CLI tests: a reduced mbconv space on a fixed preset, objectives from counters and the hardware model. */
export const SMALL_EXPERIMENT = {
  seed: 3,
  space: 'mbconv',
  spaceConfig: { resolutions: [12], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 },
  hardware: { mode: 'preset', preset: 'simple-ws' },
  strategy: { name: 'evolution', options: { population: 6, sampleSize: 3 } },
  objectives: ['macs_m', 'energy_uj'],
  constraints: ['params_k<=50'],
  budget: 24,
  batch: 2,
};
