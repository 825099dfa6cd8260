/**
 * Commander prints help and exits 0 for `nas nosuchcommand --help`, because help is handled before
 * the unknown subcommand is noticed; a script would take the mistake for success. This walks the
 * words of the command line down the command tree first and reports an unknown command as the
 * usage error (exit 2) it is, with or without --help.
 */
import type { Command, Option } from 'commander';

/** Whether an option consumes the next word as its value (`--db FILE`, not `--db=FILE`). */
function takesValue(opt: Option | undefined, next: string | undefined): boolean {
  if (!opt) return false;
  if (opt.required) return true;
  return opt.optional && next !== undefined && !next.startsWith('-');
}

function findOption(cmd: Command, word: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === word || x.short === word);
    if (o) return o;
  }
  return undefined;
}

/** Throws commander's unknown-command error for the first word that names no subcommand. */
export function checkCommandPath(program: Command, args: readonly string[]): void {
  let cmd = program;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === '--') return;
    if (word.startsWith('-')) {
      if (word === '--help' || word === '-h') continue;
      const opt = findOption(cmd, word.split('=')[0] as string);
      // an option this command does not know: commander reports it, in its own words
      if (!opt) return;
      if (!word.includes('=') && takesValue(opt, args[i + 1])) i++;
      continue;
    }
    if (cmd.commands.length === 0) return;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) {
      if (word === 'help') return;
      cmd.error(`error: unknown command '${word}'`, { exitCode: 2, code: 'commander.unknownCommand' });
    }
    cmd = sub as Command;
  }
}
