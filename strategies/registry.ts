/**
 * Strategies by name. Each entry carries a zod schema for its options, so a YAML experiment file or
 * CLI flag is validated at the edge with errors naming the field (`options.population`).
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import type { Strategy, StrategyContext } from './strategy.ts';

export interface StrategyEntry<O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<O>;
  create<T extends JsonObject>(ctx: StrategyContext<T>, options: O): Strategy<T>;
}

const entries = new Map<string, StrategyEntry<never>>();

export function registerStrategy<O>(entry: StrategyEntry<O>): void {
  if (entries.has(entry.name)) throw new ConfigError('strategy', entry.name, 'is already registered');
  entries.set(entry.name, entry as unknown as StrategyEntry<never>);
}

export function strategyNames(): string[] {
  return [...entries.keys()];
}

export function strategyEntry(name: string): StrategyEntry<unknown> {
  const e = entries.get(name);
  if (!e) throw new ConfigError('strategy', name, `unknown strategy; known: ${strategyNames().join(', ')}`);
  return e as unknown as StrategyEntry<unknown>;
}

/** Validated options (defaults filled in); throws ConfigError naming `options.<path>`. */
export function parseStrategyOptions(name: string, options: unknown = {}): unknown {
  const parsed = strategyEntry(name).schema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? ['options', ...issue.path.map(String)].join('.') : 'options';
    const value = issue ? issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), options) : options;
    throw new ConfigError(`${name}.${path}`, value, issue?.message ?? 'invalid options');
  }
  return parsed.data;
}

export function createStrategy<T extends JsonObject>(name: string, ctx: StrategyContext<T>, options: unknown = {}): Strategy<T> {
  return strategyEntry(name).create(ctx, parseStrategyOptions(name, options) as never);
}

// Built-in strategies. Their modules import only types from here, so there is no import cycle at runtime.
import { randomEntry } from './random.ts';
import { evolutionEntry } from './evolution.ts';
import { nsga2Entry } from './nsga2.ts';
import { reinforceEntry } from './reinforce.ts';
import { nestedEntry } from './nested.ts';
import { differentiableEntry } from './differentiable.ts';
import { surrogateEntry } from './surrogate/surrogate.ts';

for (const e of [randomEntry, evolutionEntry, nsga2Entry, reinforceEntry, nestedEntry(createStrategy), differentiableEntry, surrogateEntry] as StrategyEntry<never>[]) registerStrategy(e);
