/** Public surface of the accelerator cost model (docs/architecture.md §2 CostModel). */
export { CostModel, layerKey, type CostModelOptions, type CostResult, type LayerCost } from './cost-model.ts';
export { analyze, bitFusionRate, type Evaluation, type LevelStats, type TensorAccess } from './model/analysis.ts';
export { formatMapping, mappedBounds, validateMapping, type LevelMapping, type Loop, type Mapping } from './model/mapping.ts';
export { mapLayer, randomMapping, score, type MapperObjective, type MapperOptions, type MapperResult } from './mapper/mapper.ts';
export { hasLoopConstraints, mergeLevelConstraints, withConstraints, withoutLoopConstraints, type FactorRule, type LevelConstraints, type LoopConstraint, type SpatialConstraint } from './mapspace/constraints.ts';
export { compileMapspace, type CompiledMapspace } from './mapspace/compile.ts';
export { constraintViolations, paddingViolations } from './mapspace/validate.ts';
export { applyConstraintDoc, readConstraintFile, type ContainerInfo } from './timeloop/constraints.ts';
export { PRESETS, buildArch, multiplierArea, peakMacsPerSecond, preset, presetNames, sramAreaUm2, tl, type LevelSpec, type PresetSpec } from './presets.ts';
export * from './spec.ts';
export * from './workload.ts';
export { parseTimeloopArch, readTimeloopArch, parseErt, parseArt, type TimeloopArch } from './timeloop/arch.ts';
export { parseTimeloopMapTxt, parseTimeloopMapYaml, readTimeloopMap } from './timeloop/map.ts';
export { parseTimeloopProblem, readTimeloopProblem } from './timeloop/problem.ts';
export { ACCEL_CHOICES, AccelSpace, accelArch, accelKey, createAccelSpace, type AccelConfig, type AccelSpaceOptions } from './space/accel-space.ts';
export { hwEval, type HwEvalOptions, type HwEvalReport, type LayerReport, type LevelReport } from './eval-files.ts';
export { SEARCH_BUDGET } from './cost-model.ts';
