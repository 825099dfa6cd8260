import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { ChoiceSpace } from '../../core/space/choice-space.ts';
import { ProductSpace } from '../../core/space/joint.ts';
import { Nb201Space } from '../../search-space/nb201.ts';
import { searchSpaceConformance } from '../conformance/search-space.case.ts';

const presets = ['eyeriss', 'simba', 'nvdla', 'tpu-v1'];

searchSpaceConformance('choice (hardware presets)', () => new ChoiceSpace('hw', presets), {
  size: 4n,
  bad: [
    { label: 'a non-object', value: 'eyeriss', field: 'hw' },
    { label: 'an unknown option', value: { choice: 'gpu' }, field: 'choice' },
    { label: 'an extra field', value: { choice: 'simba', clock: 1 }, field: 'clock' },
  ],
});

describe('ChoiceSpace', () => {
  it('rejects empty or repeated option lists', () => {
    expect(() => new ChoiceSpace('hw', [])).toThrow(/at least one option/);
    expect(() => new ChoiceSpace('hw', ['a', 'a'])).toThrow(/distinct/);
  });

  it('a single option mutates to itself (nothing else to pick)', () => {
    const s = new ChoiceSpace('hw', ['only']);
    expect(s.mutate({ choice: 'only' }, new Rng(1), 1)).toEqual({ choice: 'only' });
  });

  it('joined with the nb201 cells: one extra decision for the controller, all pairs enumerated', () => {
    const joint = new ProductSpace(new Nb201Space(), new ChoiceSpace('hw', presets));
    expect(joint.decisions()).toEqual([5, 5, 5, 5, 5, 5, 4]);
    expect(joint.size()).toBe(15_625n * 4n);
    const x = joint.fromChoices([3, 3, 3, 3, 3, 3, 2]);
    expect(x.hw).toEqual({ choice: 'nvdla' });
    expect(x.arch.ops.every((o) => o === 'nor_conv_3x3')).toBe(true);
  });
});
