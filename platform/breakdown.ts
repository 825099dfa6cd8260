/**
 * The accelerator a stored trial ran on and its per-layer costs, re-derived by the cost model (the
 * mapper is deterministic): what the export bundle's accelerator.json holds and the UI's trial page
 * draws. Null for network-only experiments (hardware: none).
 */
import type { Arch, HwConfig } from '../core/types.ts';
import { createSpace } from '../search-space/registry.ts';
import { accelArch, type AccelConfig, type ArchSpec } from '../hardware/index.ts';
import { acceleratorBreakdown, type AcceleratorBreakdown } from '../export/breakdown.ts';
import type { ExperimentRecord, TrialRecord } from '../storage/types.ts';
import { parseExperiment } from './config.ts';

export interface TrialAccelerator {
  /** What accelerator.json records: the searched config, or { preset } for a preset experiment. */
  readonly hw: HwConfig;
  readonly spec: ArchSpec | string;
}

/** The trial's accelerator, or null when the experiment searched the network alone. */
export function trialAccelerator(exp: ExperimentRecord, trial: TrialRecord): TrialAccelerator | null {
  const cfg = parseExperiment(exp.config);
  const presetName = cfg.hardware.mode === 'preset' ? cfg.hardware.preset : null;
  if (trial.hw) return { hw: trial.hw, spec: presetName ?? accelArch(trial.hw as AccelConfig) };
  return presetName ? { hw: { preset: presetName }, spec: presetName } : null;
}

export function trialBreakdown(exp: ExperimentRecord, trial: TrialRecord): AcceleratorBreakdown | null {
  const accel = trialAccelerator(exp, trial);
  if (!accel) return null;
  const cfg = parseExperiment(exp.config);
  const space = createSpace(cfg.space, cfg.spaceConfig);
  return acceleratorBreakdown(space.layers(space.validate(trial.arch) as Arch), accel.spec);
}
