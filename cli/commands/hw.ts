/**
 * `nas hw eval --arch PRESET|FILE --workload FILE [--mapping FILE] [--constraints FILE] [--mapspace free]
 * [--allow-padding] [--budget N] [--patience N] [--json]` and `nas hw presets`:
 * the accelerator cost model from the command line. A SCALE-Sim .cfg as --arch runs the systolic
 * model, so SCALE-Sim users get SCALE-Sim numbers.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.ts';
import { hwEval, type HwEvalReport } from '../../hardware/eval-files.ts';
import { PRESETS, peakMacsPerSecond, preset } from '../../hardware/presets.ts';
import { CORE_OVERHEAD } from '../../hardware/tech/calibration.ts';
import { archArea } from '../../hardware/spec.ts';
import { formatTable, intArg, printJson, withJson } from '../context.ts';
import { registerHwValidate } from './hw-validate.ts';

const OBJECTIVES = ['edp', 'energy', 'latency'] as const;
const MAPSPACES = ['constrained', 'free'] as const;

interface EvalFlags {
  arch: string; workload: string; mapping?: string; ert?: string; constraints?: string; mapspace: string; allowPadding?: boolean;
  budget?: number; patience?: number; macLeakage?: boolean; objective: string; seed: number; json?: boolean;
}

export function registerHw(program: Command): void {
  const hw = program.command('hw').description('accelerator cost model: evaluate workloads, list presets');
  withJson(
    hw.command('eval')
      .description('per-layer and total cycles, latency, energy, accesses, utilization and mapping')
      .requiredOption('--arch <preset|file>', 'preset name, Timeloop arch .yaml (ERT/ART beside it) or SCALE-Sim .cfg')
      .requiredOption('--workload <file>', 'SCALE-Sim topology .csv, Timeloop problem .yaml or LayerSpec .json')
      .option('--mapping <file>', 'Timeloop map .yaml or map.txt (single-layer workloads); refused with every violation if it does not fit')
      .option('--ert <dir>', 'folder with the Accelergy ERT/ART summaries (default: beside the arch YAML)')
      .option('--constraints <file>', 'Timeloop mapspace-constraints YAML, added to the arch\'s own constraints')
      .option('--mapspace <kind>', 'constrained (honour the arch\'s and --constraints\' constraints) | free (ignore loop constraints; keep/bypass stay)', 'constrained')
      .option('--allow-padding', 'accept a --mapping whose loop bounds overshoot a dimension (padding runs as idle MACs)')
      .option('--budget <n>', 'mapper: candidate mappings per layer (default 300 for a network, 2000 for a Timeloop problem)', intArg('--budget', 1))
      .option('--patience <n>', 'mapper: stop after this many valid candidates without improvement (victory condition)', intArg('--patience', 1))
      .option('--mac-leakage', 'charge MAC leakage per utilized MAC per cycle (Timeloop charges none)')
      .option('--objective <name>', 'mapper objective: edp | energy | latency', 'edp')
      .option('--seed <n>', 'mapper seed', intArg('--seed'), 1),
  ).action((opts: EvalFlags) => {
    if (!(OBJECTIVES as readonly string[]).includes(opts.objective)) throw new ConfigError('--objective', opts.objective, `must be one of ${OBJECTIVES.join(', ')}`);
    if (!(MAPSPACES as readonly string[]).includes(opts.mapspace)) throw new ConfigError('--mapspace', opts.mapspace, `must be one of ${MAPSPACES.join(', ')}`);
    const report = hwEval({
      arch: opts.arch, workload: opts.workload, objective: opts.objective as (typeof OBJECTIVES)[number], seed: opts.seed,
      mapspace: opts.mapspace as (typeof MAPSPACES)[number], allowPadding: opts.allowPadding === true, macLeakage: opts.macLeakage === true,
      ...(opts.mapping ? { mapping: opts.mapping } : {}), ...(opts.ert ? { ert: opts.ert } : {}), ...(opts.constraints ? { constraints: opts.constraints } : {}),
      ...(opts.budget !== undefined ? { maxEvaluations: opts.budget } : {}), ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
    });
    if (opts.json) printJson(report);
    else process.stdout.write(formatReport(report));
  });
  registerHwValidate(hw);
  withJson(hw.command('presets').description('list accelerator presets')).action((opts: { json?: boolean }) => {
    const rows = Object.values(PRESETS).map((s) => {
      const a = preset(s.name);
      const area = archArea(a);
      return {
        name: s.name, pes: a.mac.instances, clockMHz: a.clockGHz * 1000, technologyNm: s.technologyNm, peakGops: (2 * peakMacsPerSecond(a)) / 1e9,
        areaMm2: area.totalMm2, componentsMm2: area.storageMm2 + area.macMm2, levels: a.levels.map((l) => l.name).join(' < '), description: s.description, source: s.source,
      };
    });
    if (opts.json) { printJson(rows); return; }
    process.stdout.write(`${formatTable(rows, [
      { header: 'preset', get: (r) => r.name }, { header: 'PEs', get: (r) => r.pes, align: 'right' }, { header: 'MHz', get: (r) => r.clockMHz, align: 'right' },
      { header: 'nm', get: (r) => r.technologyNm, align: 'right' }, { header: 'peak GOPS', get: (r) => Math.round(r.peakGops), align: 'right' },
      { header: 'core mm²', get: (r) => r.areaMm2.toPrecision(3), align: 'right' }, { header: 'arrays+MACs mm²', get: (r) => r.componentsMm2.toPrecision(3), align: 'right' },
      { header: 'levels', get: (r) => r.levels },
    ])}\ncore area = (storage arrays + MACs) × ${(1 + CORE_OVERHEAD).toFixed(2)} (control/NoC overhead calibrated on the Eyeriss chip); sources: nas hw presets --json\n`);
  });
}

function formatReport(r: HwEvalReport): string {
  if (r.mode === 'systolic') {
    const n = r.result;
    const t = formatTable(n.layers, [
      { header: 'layer', get: (l) => l.name }, { header: 'cycles', get: (l) => l.cycles, align: 'right' }, { header: 'util %', get: (l) => l.overallUtilPct, align: 'right' },
      { header: 'ifmap rd', get: (l) => l.sram.ifmapReads, align: 'right' }, { header: 'filter rd', get: (l) => l.sram.filterReads, align: 'right' },
      { header: 'ofmap wr', get: (l) => l.sram.ofmapWrites, align: 'right' }, { header: 'energy pJ', get: (l) => l.energy.totalPj, align: 'right' },
    ]);
    return `${r.arch} (systolic, ${n.config.dataflow})\n${t}\ntotal: ${n.cycles} cycles, ${n.latencyMs.toPrecision(4)} ms, ${n.energy.totalPj.toPrecision(4)} pJ, util ${n.overallUtilPct.toPrecision(4)} %\n`;
  }
  const out: string[] = [];
  const mb = (b: number): string => (b / 1e6).toPrecision(4);
  for (const l of r.layers) {
    const by = 'file' in l.mappedBy ? `mapping ${l.mappedBy.file}` : `mapper: ${l.mappedBy.mapper.valid} valid of ${l.mappedBy.mapper.evaluations} candidates`;
    out.push(`== ${l.name}: ${l.cycles} cycles, ${l.latencyMs.toPrecision(4)} ms, ${l.energyPj.toPrecision(6)} pJ, utilization ${(100 * l.utilization).toFixed(1)} % (${by})`);
    out.push(`   off-chip ${mb(l.offChipBytes)} MB${l.offChipBytes !== l.offChipDenseBytes ? ` (uncoded ${mb(l.offChipDenseBytes)} MB)` : ''}, loop nest bound by ${l.boundBy}`);
    for (const w of l.nonMac) {
      out.push(`   + ${w.kind}: ${w.fused ? 'fused into write-back' : `${w.ops} ops, ${mb(w.offChipBytes)} MB off-chip, ${w.cycles} cycles, ${w.energyPj.toPrecision(4)} pJ`}`);
    }
    const rows = l.levels.flatMap((lv) => Object.entries(lv.tensors).map(([t, c]) => ({ level: lv.level, inst: lv.instances, t, ...c })));
    out.push(formatTable(rows, [
      { header: 'level', get: (x) => x.level }, { header: 'inst', get: (x) => x.inst, align: 'right' }, { header: 'tensor', get: (x) => x.t },
      { header: 'tile', get: (x) => x.tile, align: 'right' }, { header: 'reads', get: (x) => x.reads, align: 'right' },
      { header: 'fills', get: (x) => x.fills, align: 'right' }, { header: 'updates', get: (x) => x.updates, align: 'right' },
    ]));
    out.push('mapping:', l.mapping, '');
  }
  out.push(`total: ${r.cycles} cycles, ${r.latencyMs.toPrecision(4)} ms, ${r.energyPj.toPrecision(6)} pJ, off-chip ${mb(r.offChipBytes)} MB`
    + `${r.offChipBytes !== r.offChipDenseBytes ? ` (uncoded ${mb(r.offChipDenseBytes)} MB)` : ''} (modelled; ${r.mapspace} mapspace)`);
  out.push(`area ${r.areaMm2.toPrecision(4)} mm²${r.technologyNm ? ` at ${r.technologyNm} nm` : ''} (storage ${r.area.storageMm2.toPrecision(3)} + MACs ${r.area.macMm2.toPrecision(3)} + control/NoC ${r.area.overheadMm2.toPrecision(3)}); modelled`);
  return `${out.join('\n')}\n`;
}
