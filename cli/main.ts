/**
 * Entry point of the `nas` command. Builds the commander program, runs it, and maps every error to
 * a message on stderr and a documented exit code (core/errors.ts EXIT_CODES, README "Exit codes").
 * Commands are registered from cli/commands/*; each calls the same service functions the server uses.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, isNasError } from '../core/errors.ts';
import { installKernels } from '../runtime/kernels/install.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerHw } from './commands/hw.ts';
import { registerExperiments } from './commands/experiments.ts';
import { registerLut } from './commands/lut.ts';
import { registerSupernet } from './commands/supernet.ts';
import { registerLatency } from './commands/latency.ts';
import { registerPredictor } from './commands/predictor.ts';
import { registerSearch } from './commands/search.ts';
import { registerExport } from './commands/export.ts';
import { registerTrials } from './commands/trials.ts';
import { registerUi } from './commands/ui.ts';
import { registerBench } from './commands/bench.ts';
import { registerDatasets } from './commands/datasets.ts';
import { registerWorker } from './commands/worker.ts';
import { registerHwQueue } from './commands/hw-queue.ts';
import { packageVersion } from './context.ts';
import { checkCommandPath } from './command-path.ts';

export function buildProgram(): Command {
  const program = new Command('nas')
    .description('Neural architecture search co-designed with DNN accelerators')
    .version(packageVersion(), '-V, --version')
    .option('--backend <name>', 'tfjs backend: tensorflow | wasm | cpu (default: first available; env NAS_BACKEND)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerDoctor(program);
  registerHw(program);
  registerHwQueue(program);
  registerExperiments(program);
  registerLut(program);
  registerSupernet(program);
  registerLatency(program);
  registerPredictor(program);
  registerSearch(program);
  registerExport(program);
  registerTrials(program);
  registerUi(program);
  registerBench(program);
  registerDatasets(program);
  registerWorker(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI and returns the process exit code (never calls process.exit, so tests can call it). */
export async function main(argv: readonly string[]): Promise<number> {
  installKernels(); // the CLI is a wiring point: our wasm kernels are registered before any command computes
  const program = buildProgram();
  try {
    checkCommandPath(program, argv.slice(2));
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version end through exitOverride with exitCode 0; commander already printed them.
    return e.exitCode === 0 ? 0 : EXIT_CODES.usage;
  }
  if (isNasError(e)) {
    process.stderr.write(`nas: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`nas: internal error: ${err.message}\n${process.env.NAS_DEBUG ? `${err.stack}\n` : ''}`);
  return EXIT_CODES.internal;
}
