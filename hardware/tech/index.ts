/** Technology model: node scaling, component area/energy tables, core overhead calibration. */
export { areaFactor, checkNode, energyFactor, scaleArea, scaleEnergy, MAX_NODE_NM, MIN_NODE_NM, TECHNOLOGY_NODES } from './scaling.ts';
export { addEnergyPj, defaultCell, macAreaUm2, macEnergyPj, storageAccessPj, storageAreaUm2, REGFILE_MAX_BITS, type CellKind } from './components.ts';
export { CORE_OVERHEAD } from './calibration.ts';
