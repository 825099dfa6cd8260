/**
 * One surrogate round on the default mbconv × accelerator space, one thread (issue 16 item 6, goal
 * ≤ 5 s): fit the GP on the verified set, cross-validate it (5 folds), run the inner NSGA-II over
 * ≥ 50,000 predicted candidates with exact compiled accelerator cost (a pool of accelerators,
 * objectives accuracy and edp_uj_ms, area ≤ the eyeriss preset's), pick a batch of 10.
 *   npx tsx bench/surrogate-round.ts [--runs 5] [--verified 100,200] [--pool 6] [--evals ev1.json,…] [--options JSON]
 * --evals: `nas supernet eval --json` files whose scores form the verified set (real targets);
 * without it, a synthetic target (log MACs, bits, noise). The accelerator tables are compiled once
 * into the cache (.cache/accel-cost, ~15 s each on one core) and loaded on later runs; that one-off
 * is printed apart, like building a LUT. Wall time and process CPU time are printed: on a machine
 * shared with other jobs the CPU time is what one free core would take.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../core/rng.ts';
import { summarize } from '../core/stats.ts';
import { layerMacs } from '../core/types.ts';
import { archAreaMm2, createAccelSpace, preset } from '../hardware/index.ts';
import { MbconvSpace } from '../search-space/mbconv.ts';
import { toGenome, type MbconvArch } from '../search-space/mbconv-arch.ts';
import { readSupernetScores } from '../estimators/accuracy/supernet-scores.ts';
import { AcceleratorTables } from '../platform/accel-tables.ts';
import { createMbconvSurrogatePort } from '../platform/surrogate-port.ts';
import { initialPool } from '../strategies/surrogate/hw-pool.ts';
import { memberKey } from '../strategies/surrogate/inner-search.ts';
import { surrogateOptions } from '../strategies/surrogate/options.ts';
import { planMetrics } from '../strategies/surrogate/problem.ts';
import { runRound, type VerifiedNet } from '../strategies/surrogate/round.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, verified: { type: 'string', default: '100,200' }, pool: { type: 'string', default: '6' }, evals: { type: 'string' }, options: { type: 'string', default: '{}' } } });
const space = new MbconvSpace();
const area = archAreaMm2(preset('eyeriss'));
const accel = createAccelSpace({ areaBudgetMm2: area });
const tables = new AcceleratorTables(space);
const port = createMbconvSurrogatePort({ space, accel: accel as never, preset: null, needed: new Set(['accuracy', 'edp_uj_ms', 'area_mm2']), tables });
const options = surrogateOptions.parse(JSON.parse(values.options as string));
const plan = planMetrics(port, [{ name: 'accuracy', direction: 'max' }, { name: 'edp_uj_ms', direction: 'min' }], [{ metric: 'area_mm2', op: '<=', limit: area }]);

const t0 = performance.now();
const { members: pool } = await initialPool(port, plan, accel as never, Number(values.pool), options.hwCandidates, new Rng(0).fork('hw-pool'));
const t1 = performance.now();
await port.prepare(pool);
console.log(`accelerator pool of ${pool.length}: ${options.hwCandidates} candidates screened in ${((t1 - t0) / 1000).toFixed(1)} s; tables ${((performance.now() - t1) / 1000).toFixed(1)} s (${tables.stats.compiled} compiled, ${tables.stats.loaded} loaded from the cache)`);

function synthetic(n: number): VerifiedNet[] {
  const rng = new Rng('bench-verified');
  return Array.from({ length: n }, () => {
    const arch = space.sample(rng);
    const macs = space.layers(arch).reduce((s, l) => s + layerMacs(l), 0);
    const bits = arch.stages.flatMap((st) => st.blocks.slice(0, st.depth).map((b) => b.wbits + 2 * b.abits));
    const genes = toGenome(space.config, arch);
    return { key: memberKey(genes, port.genes.active(genes), -1), genes, y: 84 + 1.2 * Math.log(macs / 1e6) + 0.05 * bits.reduce((a, b) => a + b, 0) / bits.length + 0.3 * rng.normal() };
  });
}

function real(files: string[]): VerifiedNet[] {
  return readSupernetScores(space, files).samples.map((s) => {
    const genes = toGenome(space.config, s.arch as MbconvArch);
    return { key: memberKey(genes, port.genes.active(genes), -1), genes, y: s.accuracy };
  });
}

const all = values.evals ? real((values.evals as string).split(',')) : synthetic(Math.max(...(values.verified as string).split(',').map(Number)));
console.log(`verified set: ${values.evals ? `${all.length} supernet scores from ${values.evals}` : 'synthetic'}; pool ${pool.length} accelerators; population ${options.population} × (${options.generations} + 1) generations; batch 10; one thread; median of ${values.runs} runs`);
for (const n of (values.verified as string).split(',').map(Number)) {
  const verified = all.slice(0, n);
  const points = verified.map((v) => [-v.y, 1]);
  // a verified front as long as a default search's (≈ 20 networks, spread over the accuracy range): their neighbours are candidates
  const byY = [...verified].sort((a, b) => b.y - a.y);
  const frontNets = Array.from({ length: Math.min(20, byY.length) }, (_, j) => byY[Math.floor((j * byY.length) / Math.min(20, byY.length))] as VerifiedNet);
  const ms: Record<string, number[]> = { fit: [], cv: [], search: [], acquisition: [], total: [], cpu: [] };
  let evaluations = 0;
  let cv = '';
  for (let r = 0; r < Number(values.runs); r++) {
    const a = performance.now();
    const c0 = process.cpuUsage();
    const out = runRound({ port, plan, options, verified, points, frontNets, pool, asked: () => false, n: 10, round: 1, rng: new Rng(r) });
    ms.total!.push(performance.now() - a);
    const c = process.cpuUsage(c0);
    ms.cpu!.push((c.user + c.system) / 1000);
    for (const k of ['fit', 'cv', 'search', 'acquisition'] as const) ms[k]!.push(out.ms[k]);
    evaluations = out.evaluations;
    cv = out.fit.cv ? `cv τ ${out.fit.cv.kendallTau?.toFixed(3)}, RMSE ${out.fit.cv.rmse.toFixed(3)}` : '';
  }
  const m = (k: string) => `${(summarize(ms[k] as number[]).median / 1000).toFixed(2)} s`;
  console.log(`  ${String(verified.length).padStart(4)} verified: round ${m('total')} wall, ${m('cpu')} CPU (fit ${m('fit')}, cross-validation ${m('cv')}, inner search ${m('search')} for ${evaluations} candidates, acquisition ${m('acquisition')}); ${cv}`);
}
await tables.close();
