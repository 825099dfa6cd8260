/**
 * Area limits relative to a preset accelerator: `area(eyeriss)` in a constraint or in
 * `hardware.areaBudgetMm2` is that preset's area under the current area model, so an experiment
 * keeps meaning "no larger than Eyeriss" when the model is recalibrated (no hard-coded mm²).
 */
import { ConfigError } from '../core/errors.ts';
import { archAreaMm2, preset, presetNames } from '../hardware/index.ts';
import { AREA_OF, type ExperimentConfig } from './config.ts';

/** `area(PRESET)` → that preset's area in mm²; null when `text` is not of that form. Throws naming `field` for an unknown preset. */
export function areaOf(text: string, field: string): number | null {
  const m = AREA_OF.exec(text.trim());
  if (!m) return null;
  if (!presetNames().includes(m[1] as string)) throw new ConfigError(field, text, `unknown preset in area(…); known: ${presetNames().join(', ')}`);
  return archAreaMm2(preset(m[1] as string));
}

/** A constraint with an `area(PRESET)` limit rewritten to mm², e.g. `area_mm2<=area(eyeriss)` → `area_mm2<=0.364…`. */
export function resolveConstraint(text: string, field: string): string {
  const m = /^(.*?(?:<=|>=)\s*)(area\([^)]*\))\s*$/.exec(text);
  if (!m) return text;
  const mm2 = areaOf(m[2] as string, field);
  if (mm2 === null) throw new ConfigError(field, text, 'area(…) takes a preset name, e.g. area(eyeriss)');
  return `${m[1]}${mm2}`;
}

/** The joint search's area budget in mm² (undefined: none). */
export function areaBudgetOf(cfg: ExperimentConfig): number | undefined {
  const b = cfg.hardware.mode === 'joint' ? cfg.hardware.areaBudgetMm2 : undefined;
  return typeof b === 'string' ? (areaOf(b, 'experiment.hardware.areaBudgetMm2') as number) : b;
}
