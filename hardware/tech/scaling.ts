/**
 * Technology scaling between CMOS nodes, after A. Stillmaker and B. Baas, "Scaling equations for the
 * accurate prediction of CMOS device performance from 180 nm to 7 nm", Integration, the VLSI Journal
 * 58 (2017) 74–81, doi:10.1016/j.vlsi.2017.02.002. Their fits come from HSPICE on PTM / ITRS models
 * (classical 1/s² scaling is off by up to 83× below 45 nm).
 *
 * - Area: the paper's area scaling table, row "from 45 nm" (our component tables are at 45 nm).
 * - Energy per operation: the paper's fitted polynomial a·V² + b·V + c per node, evaluated at the
 *   node's PTM nominal supply (HP devices at 45 nm and below: 45 → 1.0 V, 32 → 0.9 V, PTM-MG 20 →
 *   0.9 V, 16 → 0.85 V, 14 → 0.8 V, 10 → 0.75 V, 7 → 0.7 V). Checked against the authors' erratum,
 *   which evaluates the 32 nm HP fit at 0.9 V to 0.4571.
 * Nodes between table entries (40, 28, 22, 12 nm) interpolate log-linearly in the node size.
 */
import { HardwareError } from '../../core/errors.ts';
import { logLogInterp, type Points } from './interp.ts';

/** Area of a design at node X relative to the same design at 45 nm (Stillmaker & Baas, area table). */
const AREA_FROM_45: Points = [
  [7, 0.059], [10, 0.1], [14, 0.17], [16, 0.19], [20, 0.21], [32, 0.46], [45, 1], [65, 1.5], [90, 2.8], [130, 6.4],
];

/** Energy-per-operation polynomial [a, b, c] and nominal supply per node (Stillmaker & Baas fits). */
const ENERGY_FIT: readonly (readonly [number, readonly [number, number, number], number])[] = [
  [7, [0.1776, -0.09097, 0.02447], 0.7],
  [10, [0.2068, -0.09311, 0.02375], 0.75],
  [14, [0.2363, -0.09675, 0.02239], 0.8],
  [16, [0.2958, -0.1241, 0.03024], 0.85],
  [20, [0.373, -0.1582, 0.04104], 0.9],
  [32, [0.8367, -0.4341, 0.1701], 0.9],
  [45, [1.018, -0.3107, 0.1539], 1.0],
  [65, [3.755, -4.398, 1.975], 1.1],
  [90, [4.762, -4.781, 2.092], 1.2],
  [130, [7.171, -6.709, 2.904], 1.3],
];

const ENERGY_FACTOR: Points = ENERGY_FIT.map(([nm, [a, b, c], v]) => [nm, a * v * v + b * v + c] as const);
const ENERGY_45 = logLogInterp(ENERGY_FACTOR, 45);

export const MIN_NODE_NM = 7;
export const MAX_NODE_NM = 130;

/** The nodes the README documents and the presets use; any node in [7, 130] nm is accepted. */
export const TECHNOLOGY_NODES = [65, 45, 28, 16] as const;

export function checkNode(nm: number, field = 'technologyNm'): number {
  if (!(Number.isFinite(nm) && nm >= MIN_NODE_NM && nm <= MAX_NODE_NM)) {
    throw new HardwareError(`${field} must be a CMOS node between ${MIN_NODE_NM} and ${MAX_NODE_NM} nm`, { field, value: nm });
  }
  return nm;
}

/** Area multiplier from a 45 nm design to node `nm`. */
export function areaFactor(nm: number): number {
  return logLogInterp(AREA_FROM_45, checkNode(nm), false);
}

/** Energy-per-operation multiplier from 45 nm to node `nm` (at each node's nominal supply). */
export function energyFactor(nm: number): number {
  return logLogInterp(ENERGY_FACTOR, checkNode(nm), false) / ENERGY_45;
}

export function scaleArea(um2: number, fromNm: number, toNm: number): number {
  return (um2 * areaFactor(toNm)) / areaFactor(fromNm);
}

export function scaleEnergy(pj: number, fromNm: number, toNm: number): number {
  return (pj * energyFactor(toNm)) / energyFactor(fromNm);
}
