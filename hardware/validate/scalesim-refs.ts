/**
 * SCALE-Sim v2 reports (scalesim-v2-golden/ and scalesim-v2-runs/ of the reference data): the CI
 * golden run (alexnet_part, 32×32 WS) and our runs of AlexNet (OS, WS) and MobileNet (OS, WS, IS)
 * on the 32×32 array. Per run, exact: total cycles, and per layer every column the systolic mode
 * reproduces (cycles, stalls, utilizations, SRAM reads/writes and SRAM bandwidths).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readScaleSimConfig } from '../scalesim/config.ts';
import { col, readReport } from '../scalesim/report.ts';
import { readScaleSimTopology } from '../scalesim/topology.ts';
import { simulateNetwork } from '../systolic/model.ts';
import type { SystolicLayerResult } from '../systolic/types.ts';
import { check, type Check } from './checks.ts';

const RUNS = [['alexnet', 'os'], ['alexnet', 'ws'], ['mobilenet', 'os'], ['mobilenet', 'ws'], ['mobilenet', 'is']] as const;

/** Per layer, does every reproduced column equal the reports' (floats included)? */
function layersEqual(compute: string, access: string, bandwidth: string, layers: readonly SystolicLayerResult[]): number {
  const c = readReport(compute).rows;
  const a = readReport(access).rows;
  const b = readReport(bandwidth).rows;
  let equal = 0;
  layers.forEach((r, i) => {
    const rc = c[i] ?? {};
    const ra = a[i] ?? {};
    const rb = b[i] ?? {};
    const ours = [r.cycles, r.stallCycles, r.overallUtilPct, r.mappingEfficiencyPct, r.computeUtilPct, r.sram.ifmapReads, r.sram.filterReads, r.sram.ofmapWrites,
      r.sramBandwidth.ifmap, r.sramBandwidth.filter, r.sramBandwidth.ofmap];
    const ref = [col(rc, 'Total Cycles', compute), col(rc, 'Stall Cycles', compute), col(rc, 'Overall Util %', compute), col(rc, 'Mapping Efficiency %', compute),
      col(rc, 'Compute Util %', compute), col(ra, 'SRAM IFMAP Reads', access), col(ra, 'SRAM Filter Reads', access), col(ra, 'SRAM OFMAP Writes', access),
      col(rb, 'Avg IFMAP SRAM BW', bandwidth), col(rb, 'Avg FILTER SRAM BW', bandwidth), col(rb, 'Avg OFMAP SRAM BW', bandwidth)];
    if (ours.every((v, k) => v === ref[k])) equal++;
  });
  return equal;
}

export function scalesimChecks(dataDir: string): Check[] {
  const out: Check[] = [];
  const golden = join(dataDir, 'scalesim-v2-golden');
  const runs = join(dataDir, 'scalesim-v2-runs');
  if (existsSync(golden)) {
    const cfgFile = join(runs, 'golden_ws.cfg');
    // The golden run is scale.cfg with `Dataflow : ws`.
    const cfg = existsSync(cfgFile) ? readScaleSimConfig(cfgFile) : { ...readScaleSimConfig(join(golden, 'configs_scale.cfg')), dataflow: 'ws' as const };
    const res = simulateNetwork(readScaleSimTopology(join(golden, 'topologies_conv_nets_alexnet_part.csv')), cfg);
    const compute = readReport(join(golden, 'test_golden_trace_COMPUTE_REPORT.csv'));
    out.push(check('scalesim', 'golden alexnet_part 32×32 WS', 'total cycles', compute.rows.reduce((s, r) => s + col(r, 'Total Cycles'), 0), res.cycles, { exact: true }));
    const access = readReport(join(golden, 'test_golden_trace_DETAILED_ACCESS_REPORT.csv')).rows[0] ?? {};
    const r = res.layers[0];
    if (r) {
      out.push(check('scalesim', 'golden alexnet_part 32×32 WS', 'SRAM ifmap reads', col(access, 'SRAM IFMAP Reads'), r.sram.ifmapReads, { exact: true }));
      out.push(check('scalesim', 'golden alexnet_part 32×32 WS', 'SRAM filter reads', col(access, 'SRAM Filter Reads'), r.sram.filterReads, { exact: true }));
      out.push(check('scalesim', 'golden alexnet_part 32×32 WS', 'SRAM ofmap writes', col(access, 'SRAM OFMAP Writes'), r.sram.ofmapWrites, { exact: true }));
    }
  }
  for (const [net, df] of RUNS) {
    const dir = join(runs, net, `s32_${df}`);
    if (!existsSync(dir)) continue;
    const res = simulateNetwork(readScaleSimTopology(join(golden, `topologies_conv_nets_${net}.csv`)), readScaleSimConfig(join(runs, `s32_${df}.cfg`)));
    const name = `${net} 32×32 ${df.toUpperCase()}`;
    const compute = join(dir, 'COMPUTE_REPORT.csv');
    out.push(check('scalesim', name, 'total cycles', readReport(compute).rows.reduce((s, r) => s + col(r, 'Total Cycles', compute), 0), res.cycles, { exact: true }));
    out.push(check('scalesim', name, 'layers with every column equal', res.layers.length,
      layersEqual(compute, join(dir, 'DETAILED_ACCESS_REPORT.csv'), join(dir, 'BANDWIDTH_REPORT.csv'), res.layers), { exact: true, note: 'cycles, stalls, utilizations, SRAM counts and bandwidths' }));
  }
  return out;
}
