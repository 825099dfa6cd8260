/**
 * Reader for the NAS-Bench-201 accuracy table (NATS-Bench topology, 200-epoch test accuracies):
 * `nats_bench.csv`, one row per cell in benchmark index order. Where it comes from and where it is
 * looked for: datasets/nb201-source.ts (`nas datasets get nb201` downloads it); callers pass its path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DatasetError } from '../core/errors.ts';

/** What a user reads when the table is not where a command looked. */
export const NB201_MISSING_HINT = 'NAS-Bench-201 table not found; download it with `nas datasets get nb201` (or give its path: NAS_NB201_CSV=FILE)';

export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

export interface Nb201Row {
  /** Test accuracy in percent after 200 epochs, per dataset. */
  readonly accuracy: Readonly<Record<Nb201Dataset, number>>;
  readonly archString: string;
}

const COLUMNS: Readonly<Record<Nb201Dataset | 'archString', string>> = {
  cifar10: 'CIFAR10TestAccuracy200Epochs',
  cifar100: 'CIFAR100TestAccuracy200Epochs',
  'imagenet16-120': 'ImageNetTestAccuracy200Epochs',
  archString: 'ArchitectureString',
};

export function readNb201Csv(path: string): Nb201Row[] {
  if (!existsSync(path)) {
    throw new DatasetError(path, NB201_MISSING_HINT);
  }
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new DatasetError(path, `missing column ${name}`, { header });
    return i;
  };
  const idx = {
    cifar10: col(COLUMNS.cifar10),
    cifar100: col(COLUMNS.cifar100),
    imagenet: col(COLUMNS['imagenet16-120']),
    arch: col(COLUMNS.archString),
  };
  const rows: Nb201Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).split(',');
    if (f.length !== header.length) throw new DatasetError(path, `line ${i + 1} has ${f.length} fields, expected ${header.length}`);
    const num = (j: number, name: string): number => {
      const v = Number(f[j]);
      if (f[j] === '' || !Number.isFinite(v)) throw new DatasetError(path, `line ${i + 1}: ${name} is not a number`, { value: f[j] });
      return v;
    };
    rows.push({
      accuracy: {
        cifar10: num(idx.cifar10, COLUMNS.cifar10),
        cifar100: num(idx.cifar100, COLUMNS.cifar100),
        'imagenet16-120': num(idx.imagenet, COLUMNS['imagenet16-120']),
      },
      archString: f[idx.arch] as string,
    });
  }
  return rows;
}
