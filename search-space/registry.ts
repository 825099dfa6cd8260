/**
 * Search spaces by name. Each factory validates its own config (ConfigError naming the field), so
 * a YAML experiment file or CLI flag reaches the space unchanged: `createSpace('mbconv', cfg)`.
 */
import { ConfigError } from '../core/errors.ts';
import type { Arch } from '../core/types.ts';
import { MbconvSpace } from './mbconv.ts';
import { Nb201Space } from './nb201.ts';
import type { NetworkSpace } from '../core/space/space.ts';

export type SpaceFactory = (config?: unknown) => NetworkSpace<Arch>;

const factories = new Map<string, SpaceFactory>([
  ['mbconv', (config) => new MbconvSpace(config)],
  ['nb201', (config) => new Nb201Space(config)],
]);

/** Adds a space; refuses to silently replace an existing name. */
export function registerSpace(name: string, factory: SpaceFactory): void {
  if (factories.has(name)) throw new ConfigError('space', name, 'is already registered');
  factories.set(name, factory);
}

export function spaceNames(): string[] {
  return [...factories.keys()];
}

export function createSpace(name: string, config?: unknown): NetworkSpace<Arch> {
  const factory = factories.get(name);
  if (!factory) throw new ConfigError('space', name, `unknown search space; known: ${spaceNames().join(', ')}`);
  return factory(config);
}
