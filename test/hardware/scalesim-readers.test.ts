import { describe, expect, it } from 'vitest';
import { HardwareError } from '../../core/errors.ts';
import { parseScaleSimConfig, readScaleSimConfig } from '../../hardware/scalesim/config.ts';
import { parseScaleSimTopology, readScaleSimTopology, scaleSimOutputSize } from '../../hardware/scalesim/topology.ts';
import { dataPath, hasData } from './scalesim-fixtures.ts';
import { needsReferenceData } from '../reference-data.ts';

const CFG = `[general]
run_name = tiny

[architecture_presets]
ArrayHeight:    8
ArrayWidth:     4
IfmapSramSzkB:   16 
FilterSramSzkB:  8 
OfmapSramSzkB:   4 
IfmapOffset:    0
FilterOffset:   100
OfmapOffset:    200
Bandwidth : 10
Dataflow : is
MemoryBanks:   2

[run_presets]
InterfaceBandwidth: USER 
`;

describe('SCALE-Sim .cfg reader', () => {
  it('reads every field, tolerating spaces around ":" and trailing blanks', () => {
    const c = parseScaleSimConfig(CFG, 'tiny.cfg', { clockHz: 5e8 });
    expect(c).toEqual({
      name: 'tiny', rows: 8, cols: 4, ifmapSramKb: 16, filterSramKb: 8, ofmapSramKb: 4, ifmapOffset: 0, filterOffset: 100,
      ofmapOffset: 200, dataflow: 'is', bandwidth: 10, memoryBanks: 2, interfaceBandwidth: 'USER', clockHz: 5e8, wordBits: 8,
    });
    expect(parseScaleSimConfig(CFG, 'tiny.cfg').clockHz).toBe(1e9);
  });

  it('rejects an unknown dataflow naming the key, value and file', () => {
    const bad = CFG.replace('Dataflow : is', 'Dataflow : rs');
    expect(() => parseScaleSimConfig(bad, 'bad.cfg')).toThrow(HardwareError);
    expect(() => parseScaleSimConfig(bad, 'bad.cfg')).toThrow(/bad\.cfg: Dataflow .*"rs"/);
  });

  it('rejects a missing key naming it and the file', () => {
    const bad = CFG.replace(/ArrayWidth:.*\n/, '');
    try {
      parseScaleSimConfig(bad, 'nowidth.cfg');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HardwareError);
      expect((e as HardwareError).message).toBe('nowidth.cfg: missing key ArrayWidth');
      expect((e as HardwareError).details).toMatchObject({ key: 'ArrayWidth', file: 'nowidth.cfg' });
    }
    expect(() => parseScaleSimConfig(CFG.replace('ArrayHeight:    8', 'ArrayHeight: eight'), 'x.cfg')).toThrow(/ArrayHeight/);
    expect(() => readScaleSimConfig('/nonexistent/dir/a.cfg')).toThrow(/a\.cfg/);
  });

  it.skipIf(!hasData('scalesim-v2-golden'))(`reads the shipped SCALE-Sim configs${needsReferenceData('scalesim-v2-golden')}`, () => {
    const eyeriss = readScaleSimConfig(dataPath('scalesim-v2-golden', 'configs_eyeriss.cfg'));
    const google = readScaleSimConfig(dataPath('scalesim-v2-golden', 'configs_google.cfg'));
    const scale = readScaleSimConfig(dataPath('scalesim-v2-golden', 'configs_scale.cfg'));
    expect([eyeriss.rows, eyeriss.cols, eyeriss.dataflow, eyeriss.ifmapSramKb]).toEqual([12, 14, 'ws', 36]);
    expect([google.rows, google.cols, google.dataflow, google.ofmapSramKb]).toEqual([256, 256, 'ws', 2048]);
    expect([scale.rows, scale.cols, scale.dataflow, scale.interfaceBandwidth]).toEqual([32, 32, 'os', 'CALC']);
  });
});

describe('SCALE-Sim topology reader', () => {
  it('parses rows with spaces and trailing commas, SCALE-Sim output size, no padding', () => {
    const text = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' +
      'Conv1     ,224 ,224 ,11 ,11 ,3 ,96 ,4 ,\nDW, 112, 112, 3, 3, 32, 1, 2,\nFC,1,1,1,1,512,1000,1';
    const [a, b, c] = parseScaleSimTopology(text, 't.csv');
    expect(a).toMatchObject({ name: 'Conv1', kind: 'conv', h: 224, r: 11, c: 3, m: 96, stride: 4, p: 55, q: 55, padding: 0, groups: 1, n: 1 });
    // A depthwise layer written as a one-filter conv stays a conv (SCALE-Sim semantics).
    expect(b).toMatchObject({ kind: 'conv', c: 32, m: 1, groups: 1, p: 56 });
    expect(c).toMatchObject({ kind: 'fc', p: 1, q: 1, c: 512, m: 1000 });
    expect(scaleSimOutputSize(224, 11, 4)).toBe(55);
  });

  it('names file, line and column of bad cells and missing columns', () => {
    const head = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
    expect(() => parseScaleSimTopology(head + 'L,224,224,3,3,x,8,1,', 't.csv')).toThrow(/t\.csv:2: column "channels"/);
    expect(() => parseScaleSimTopology('Layer name, IFMAP Height\nL,3', 'h.csv')).toThrow(/h\.csv: missing column "ifmap width"/);
    expect(() => parseScaleSimTopology(head + 'L,2,2,3,3,1,8,1', 'k.csv')).toThrow(/k\.csv:2: filter 3x3 larger/);
  });

  it.skipIf(!hasData('scalesim-v2-golden'))(`loads the shipped topologies as-is${needsReferenceData('scalesim-v2-golden')}`, () => {
    const counts = Object.fromEntries(
      ['alexnet', 'alexnet_part', 'Resnet18', 'mobilenet'].map((n) => [n, readScaleSimTopology(dataPath('scalesim-v2-golden', `topologies_conv_nets_${n}.csv`)).length]),
    );
    expect(counts).toEqual({ alexnet: 5, alexnet_part: 1, Resnet18: 21, mobilenet: 27 });
  });
});
