/**
 * The reference pages in docs/ stay true to the code: every command and option the program has is
 * named in docs/cli.md, and every field of the experiment file (top level, accuracy, hardware, both
 * space configs), every strategy and every objective name in docs/experiment-file.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';
import { EXIT_CODES } from '../../core/errors.ts';
import { ACCELERATOR_OBJECTIVES } from '../../estimators/accelerator.ts';
import { COUNTER_OBJECTIVES } from '../../estimators/counter-estimator.ts';
import { presetNames } from '../../hardware/index.ts';
import { experimentSchema } from '../../platform/config.ts';
import { mbconvConfigSchema } from '../../search-space/mbconv-config.ts';
import { nb201ConfigSchema } from '../../search-space/nb201-config.ts';
import { strategyEntry, strategyNames } from '../../strategies/registry.ts';

const read = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

function commands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => {
    const p = [...path, c.name()];
    return c.commands.length > 0 ? commands(c, p) : [{ path: p, cmd: c }];
  });
}

/** The keys of a zod object schema, looking through defaults and optionals. */
function keys(schema: unknown): string[] {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } };
  for (let i = 0; i < 5 && s && !s.shape; i++) s = (s.def?.innerType ?? s.unwrap?.()) as typeof s;
  const out = Object.keys(s?.shape ?? {});
  if (out.length === 0) throw new Error('not an object schema');
  return out;
}

describe('docs/cli.md', () => {
  const doc = read('cli.md');
  it('names every command and every option of it', () => {
    for (const { path, cmd } of commands(buildProgram())) {
      expect(doc, path.join(' ')).toContain(`nas ${path.join(' ')}`);
      for (const o of cmd.options) expect(doc, `${path.join(' ')} ${o.long}`).toContain(`\`${o.long}`);
    }
  });
  it('lists every exit code', () => {
    for (const code of Object.values(EXIT_CODES)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});

describe('docs/experiment-file.md', () => {
  const doc = read('experiment-file.md');
  const field = (k: string) => expect(doc, k).toContain(`\`${k}\``);
  it('documents every field, strategy, preset and objective', () => {
    keys(experimentSchema).forEach(field);
    keys(experimentSchema.shape.accuracy).forEach(field);
    keys(mbconvConfigSchema).forEach(field);
    keys(nb201ConfigSchema).forEach(field);
    ['none', 'preset', 'joint', 'areaBudgetMm2'].forEach(field);
    presetNames().forEach(field);
    for (const name of strategyNames()) {
      field(name);
      keys(strategyEntry(name).schema).forEach(field);
    }
    [...COUNTER_OBJECTIVES, ...ACCELERATOR_OBJECTIVES].forEach((o) => field(o.name));
  });
});
