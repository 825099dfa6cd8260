import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, InvalidArchError } from '../../core/errors.ts';
import { loadNb201Table } from '../../search-space/nb201-table.ts';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { Nb201Space, formatNb201String, nb201ArchAt, nb201Index, parseNb201String } from '../../search-space/nb201.ts';
import { createSpace, spaceNames } from '../../search-space/registry.ts';
import { countDistinctKeys, searchSpaceConformance } from '../conformance/search-space.case.ts';
import { NEEDS_NB201 } from '../reference-data.ts';

const ops = ['nor_conv_3x3', 'none', 'none', 'skip_connect', 'avg_pool_3x3', 'nor_conv_1x1'] as const;
const arch: Nb201Arch = { ops: [...ops] };

searchSpaceConformance('nb201', () => new Nb201Space(), {
  size: 15_625n,
  bad: [
    { label: 'a non-object', value: 'x', field: 'arch' },
    { label: 'five edges', value: { ops: ops.slice(1) }, field: 'ops' },
    { label: 'an unknown op', value: { ops: ops.map((o, i) => (i === 3 ? 'conv_5x5' : o)) }, field: 'ops[3]' },
    { label: 'an extra field', value: { ops: [...ops], cells: 5 }, field: 'cells' },
  ],
});

describe('nb201 space', () => {
  const space = new Nb201Space();

  it('enumerate() lists 15,625 distinct keys, size() agrees', () => {
    const all = [...space.enumerate()];
    expect(all).toHaveLength(15_625);
    expect(countDistinctKeys(space, all)).toBe(15_625);
    expect(space.size()).toBe(BigInt(all.length));
  });

  it('benchmark strings round-trip and the index is a bijection', () => {
    const s = formatNb201String(arch);
    expect(s).toBe('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|');
    expect(parseNb201String(s)).toEqual(arch);
    expect(nb201ArchAt(nb201Index(arch))).toEqual(arch);
    expect(() => parseNb201String('|a~0|')).toThrow(InvalidArchError);
    expect(() => nb201ArchAt(15_625)).toThrow(/index/);
  });

  it('is in the registry', () => {
    expect(spaceNames()).toEqual(expect.arrayContaining(['mbconv', 'nb201']));
    expect(createSpace('nb201').name).toBe('nb201');
    expect(() => createSpace('nope')).toThrow(/space/);
  });

  it('lowers a cell to the macro skeleton with hand-computed shapes', () => {
    const layers = space.layers(arch);
    // per cell: edge0 conv3×3, edge4 avg-pool, edge5 conv1×1 (skip and none add no layers)
    expect(layers).toHaveLength(1 + 3 * 5 * 3 + 2 * 4 + 2);
    const get = (name: string) => {
      const l = layers.find((x) => x.name === name);
      if (!l) throw new Error(`no layer ${name}`);
      return [l.kind, l.c, l.m, l.h, l.p, l.r, l.stride, l.groups, l.padding];
    };
    expect(get('stem')).toEqual(['conv', 3, 16, 32, 32, 3, 1, 1, 1]);
    expect(get('stage0.cell0.edge0to1')).toEqual(['conv', 16, 16, 32, 32, 3, 1, 1, 1]);
    expect(get('stage0.cell4.edge1to3')).toEqual(['pool', 16, 16, 32, 32, 3, 1, 16, 1]);
    expect(get('reduce1.conv_a')).toEqual(['conv', 16, 32, 32, 16, 3, 2, 1, 1]);
    expect(get('reduce2.shortcut_pool')).toEqual(['pool', 32, 32, 16, 8, 2, 2, 32, 0]);
    expect(get('reduce2.shortcut_conv')).toEqual(['pointwise', 32, 64, 8, 8, 1, 1, 1, 0]);
    expect(get('stage2.cell4.edge2to3')).toEqual(['pointwise', 64, 64, 8, 8, 1, 1, 1, 0]);
    expect(get('pool')).toEqual(['pool', 64, 64, 8, 1, 8, 1, 64, 0]);
    expect(get('fc')).toEqual(['fc', 64, 10, 1, 1, 1, 1, 1, 0]);
    expect(layers.every((l) => l.bits.weights === 8 && l.bits.inputs === 8)).toBe(true);
  });

  it('prune drops edges that cannot reach the output', () => {
    // edge0 (0→1) feeds node 1, which reaches node 3 only via edge4: live. Cut edge4: edge0 is dead.
    const cut: Nb201Arch = { ops: ['nor_conv_3x3', 'none', 'none', 'skip_connect', 'none', 'nor_conv_1x1'] };
    const pruned = new Nb201Space({ prune: true }).layers(cut);
    expect(pruned.some((l) => l.name.endsWith('edge0to1'))).toBe(false);
    expect(space.layers(cut).some((l) => l.name.endsWith('edge0to1'))).toBe(true);
  });
});

describe.skipIf(!existsSync(defaultNb201CsvPath()))(`nb201 table (nats_bench.csv)${NEEDS_NB201}`, () => {
  it('loads in index order and finds the CIFAR-10 optimum of 94.37', () => {
    const table = loadNb201Table(defaultNb201CsvPath());
    expect(table.size).toBe(15_625);
    expect(table.best('cifar10').accuracy).toBeCloseTo(94.37, 2);
    expect(table.accuracyOf(nb201ArchAt(0))).toBe(table.accuracy(0));
  });

  it('rejects a missing or truncated file naming it', () => {
    expect(() => loadNb201Table('/nonexistent/nb.csv')).toThrow(DatasetError);
    const dir = mkdtempSync(join(tmpdir(), 'nb201-'));
    const f = join(dir, 'short.csv');
    writeFileSync(f, 'CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,ArchitectureString\n1,2,3,x\n');
    expect(() => loadNb201Table(f)).toThrow(/short\.csv.*1 rows/);
  });
});
