/**
 * Export kill drill (issue 18.6): `nas export` of a supernet-backed trial (TF.js model, ONNX, JSON) is
 * killed with SIGKILL at random moments, into a fresh folder and over an earlier bundle (--overwrite).
 * After every kill the target folder must be absent or hold one complete bundle — the earlier one or
 * the new one, file for file equal to a reference export — never a partial one. The next export
 * clears what the killed one left beside it (hidden staging folders) and succeeds.
 *
 * Usage: npx tsx test/drills/export-kill-drill.ts [--kills 10] [--seed 1]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '../../core/rng.ts';
import { parseExperiment } from '../../platform/config.ts';
import { metricProvenance } from '../../platform/provenance.ts';
import { PROVENANCE_EVENT } from '../../platform/export-trial.ts';
import { createSpace } from '../../search-space/registry.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { check, NAS_BIN, report } from './report.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' } } });
const KILLS = Number(values.kills);
const rng = new Rng(Number(values.seed)).fork('export-kill-drill');
const dir = mkdtempSync(join(tmpdir(), 'nas-export-drill-'));
const db = join(dir, 'nas.db');
const target = join(dir, 'target');

// One finished trial of a supernet-scored experiment on a preset accelerator, written through Storage.
{
  const cfg = parseExperiment({
    seed: 3, space: 'mbconv', accuracy: { source: 'supernet', valLimit: 100, calibImages: 32 }, hardware: { mode: 'preset', preset: 'eyeriss' },
    strategy: { name: 'random' }, objectives: ['accuracy', 'energy_uj', 'hw_latency_ms'], budget: 1, batch: 1,
  });
  const s = await SqliteStorage.open(db);
  const exp = await s.createExperiment({
    name: 'bundle', config: JSON.parse(JSON.stringify({ ...cfg, name: 'bundle' })), seed: cfg.seed, space: cfg.space,
    objectives: [{ name: 'accuracy', unit: '%', direction: 'max' }, { name: 'energy_uj', unit: 'µJ', direction: 'min' }, { name: 'hw_latency_ms', unit: 'ms', direction: 'min' }],
  });
  await s.appendEvent({ experimentId: exp.id, type: PROVENANCE_EVENT, payload: metricProvenance(cfg) });
  const arch = createSpace('mbconv', cfg.spaceConfig).sample(new Rng(7));
  const t = await s.startTrial({ experimentId: exp.id, arch });
  await s.finishTrial(t.id, { metrics: { accuracy: 81.5, energy_uj: 12.5, hw_latency_ms: 0.75 }, feasible: true });
  await s.close();
}

const exportArgs = (out: string, overwrite: boolean) => ['export', 'bundle', '1', '--out', out, '--db', db, ...(overwrite ? ['--overwrite'] : [])];

type Aim = { afterMs: number } | { afterWriteMs: number };

/** Runs the CLI; kills it after a time, or a few ms after the first file appears beside or inside the target. */
function run(args: string[], aim?: Aim): Promise<{ code: number | null; killed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [NAS_BIN, ...args], { stdio: 'ignore' });
    let killed = false;
    const kill = () => (killed = child.kill('SIGKILL'));
    let timer: NodeJS.Timeout | undefined;
    let watch: NodeJS.Timeout | undefined;
    if (aim && 'afterMs' in aim) timer = setTimeout(kill, aim.afterMs);
    if (aim && 'afterWriteMs' in aim) {
      const listing = () => [...readdirSync(dir), ...(existsSync(target) ? readdirSync(target).map((f) => `target/${f}`) : [])].join('|');
      const before = listing();
      watch = setInterval(() => {
        if (listing() === before) return;
        clearInterval(watch);
        timer = setTimeout(kill, aim.afterWriteMs);
      }, 1);
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve({ code, killed: killed && code === null, ms: performance.now() - t0 });
    });
  });
}

const digest = (d: string): Record<string, string> =>
  Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));

const failures: string[] = [];
const refDir = join(dir, 'reference');
const ref = await run(exportArgs(refDir, false));
if (ref.code !== 0) throw new Error(`reference export failed (exit ${ref.code})`);
const reference = digest(refDir);
console.log(`reference export: ${Object.keys(reference).length} files in ${(ref.ms / 1000).toFixed(1)} s`);

let states = { absent: 0, complete: 0, partial: 0 };
let delivered = 0;
for (let k = 0; k < KILLS; k++) {
  // Every other kill writes over a complete earlier bundle; the others into a fresh folder.
  const overwrite = k % 2 === 1;
  if (overwrite && !existsSync(target)) {
    const r = await run(exportArgs(target, true));
    check(failures, r.code === 0, `preparing an earlier bundle exited ${r.code}`);
  } else if (!overwrite) rmSync(target, { recursive: true, force: true });
  // Half the kills anywhere in the run, half aimed at the writing: a few ms after the first file appears.
  const aim: Aim = k % 4 < 2 ? { afterWriteMs: rng.int(30) } : { afterMs: rng.uniform(0.3, 1.05) * ref.ms };
  const r = await run(exportArgs(target, overwrite), aim);
  if (r.killed) delivered++;
  const state = !existsSync(target) ? 'absent' : JSON.stringify(digest(target)) === JSON.stringify(reference) ? 'complete' : 'partial';
  states = { ...states, [state]: states[state] + 1 };
  const leftovers = readdirSync(dir).filter((n) => n.startsWith('.target.')).length;
  const when = 'afterMs' in aim ? `after ${(aim.afterMs / 1000).toFixed(2)} s` : `${aim.afterWriteMs} ms after the first file appeared`;
  console.log(`kill ${k + 1}/${KILLS} ${overwrite ? 'over an earlier bundle' : 'into a fresh folder'} ${when}${r.killed ? '' : ' (finished first)'}: target ${state}, ${leftovers} hidden staging folder(s) beside it`);
  check(failures, state !== 'partial', `kill ${k + 1}: the target holds a partial bundle: ${JSON.stringify(existsSync(target) ? readdirSync(target) : [])}`);
  check(failures, !(overwrite && state === 'absent'), `kill ${k + 1}: the earlier bundle disappeared`);
}
const final = await run(exportArgs(target, true));
check(failures, final.code === 0, `final export exited ${final.code}`);
check(failures, JSON.stringify(digest(target)) === JSON.stringify(reference), 'final bundle differs from the reference');
const left = readdirSync(dir).filter((n) => n.startsWith('.target.'));
check(failures, left.length === 0, `staging folders left after a successful export: ${left.join(', ')}`);
check(failures, delivered > 0, 'no kill landed mid-export');
report('export-kill-drill', {
  kills: KILLS, 'kills landed mid-export': delivered, 'target absent after kill': states.absent, 'target complete after kill': states.complete,
  'target partial after kill': states.partial, 'reference export s': ref.ms / 1000, 'leftovers after next export': left.length,
}, failures);
