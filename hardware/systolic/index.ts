export * from './types.ts';
export * from './model.ts';
export * from './energy.ts';
export * from './presets.ts';
