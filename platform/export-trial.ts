/**
 * Writing a stored trial as an export bundle: the network (extracted from the supernet checkpoint
 * the experiment used, when it used one), its bits per layer, the accelerator with its mapping per
 * layer (re-derived by the cost model, whose mapper is deterministic), and every metric with the
 * provenance recorded by the platform. `nas export` and the UI's export button both call this.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { Arch, Json } from '../core/types.ts';
import { createSpace } from '../search-space/registry.ts';
import { loadSupernet, readTrainState } from '../supernet/checkpoint.ts';
import { COUNTER_OBJECTIVES } from '../estimators/counter-estimator.ts';
import { ACCELERATOR_OBJECTIVES } from '../estimators/accelerator.ts';
import { EMBEDDED_SUPERNET_DIR } from '../supernet/embedded.ts';
import { calibrateSubnet } from '../supernet/evaluate.ts';
import { extractSubnet } from '../supernet/extract.ts';
import type { MbconvArch } from '../search-space/mbconv-arch.ts';
import { loadDataset } from '../datasets/registry.ts';
import { writeBundle, type BundleResult } from '../export/bundle.ts';
import { folderInside } from '../export/safe-dir.ts';
import type { ExperimentRecord, TrialRecord } from '../storage/types.ts';
import type { Storage } from '../storage/storage.ts';
import { parseExperiment } from './config.ts';
import { metricProvenance } from './provenance.ts';
import { trialAccelerator, trialBreakdown } from './breakdown.ts';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface ExportTrialOptions {
  readonly out: string;
  readonly formats: readonly string[];
  readonly overwrite?: boolean;
  /** Provenance recorded when the experiment was created (recordedProvenance); else derived from the config. */
  readonly provenance?: Readonly<Record<string, string>>;
  /** How the caller names the formats in errors (`--format` on the CLI). */
  readonly formatsField?: string;
  /** When set, the bundle must end up inside this folder (the UI server's exports folder). */
  readonly root?: string;
}

export const PROVENANCE_EVENT = 'provenance';

/** The metric provenance `nas search` recorded for an experiment (undefined for older experiments). */
export async function recordedProvenance(storage: Storage, experimentId: number): Promise<Record<string, string> | undefined> {
  const events = await storage.eventsSince(0, { experimentId, limit: 50 }); // appended right after creation
  const found = events.find((e) => e.type === PROVENANCE_EVENT);
  return found ? (found.payload as Record<string, string>) : undefined;
}

/**
 * Where the UI server writes a trial's bundle: ROOT/<experiment name>/trial-<number>. Both come from
 * the database, which may be crafted: folderInside refuses names that would leave ROOT.
 */
export function exportFolder(root: string, exp: ExperimentRecord, trial: TrialRecord): string {
  if (!Number.isSafeInteger(trial.number) || trial.number < 1) throw new ConfigError('trial.number', trial.number, 'must be a positive integer');
  return folderInside(root, [{ field: 'experiment.name', value: exp.name }, { field: 'trial.number', value: `trial-${trial.number}` }]);
}

/** Supernet-backed experiments have weights to export as models; the others export their JSON only. */
export function exportableFormats(exp: ExperimentRecord): string[] {
  return parseExperiment(exp.config).accuracy?.source === 'supernet' ? ['tfjs', 'onnx', 'json'] : ['json'];
}

export async function exportTrial(exp: ExperimentRecord, trial: TrialRecord, opts: ExportTrialOptions): Promise<BundleResult> {
  if (trial.state !== 'finished' || !trial.metrics) throw new ConfigError('trial', trial.number, `is ${trial.state}; only finished trials can be exported`);
  const cfg = parseExperiment(exp.config);
  const space = createSpace(cfg.space, cfg.spaceConfig);
  const arch = space.validate(trial.arch) as Arch;
  const layers = space.layers(arch);
  const wantsModel = opts.formats.some((f) => f === 'tfjs' || f === 'onnx');
  const checkpoint = cfg.accuracy?.source === 'supernet' ? (cfg.accuracy.checkpoint ?? EMBEDDED_SUPERNET_DIR) : null;
  // The model's input contract (pixel normalisation, dataset) comes from the checkpoint it was trained as.
  const trained = checkpoint ? readTrainState(checkpoint) : null;
  let model: tfl.LayersModel | undefined;
  let release = () => {};
  if (wantsModel) {
    if (cfg.accuracy?.source !== 'supernet') {
      throw new ConfigError(opts.formatsField ?? 'formats', opts.formats.join(','), `tfjs/onnx need the weights of a supernet checkpoint: this experiment scored accuracy with ${cfg.accuracy?.source ?? 'nothing'} (export json only)`);
    }
    const { net, state } = loadSupernet(checkpoint as string);
    const data = loadDataset(state.dataset);
    const stats = calibrateSubnet(net, arch as MbconvArch, { train: data.train, norm: state.norm }, { calibImages: cfg.accuracy.calibImages, seed: cfg.seed });
    model = extractSubnet(net, arch as MbconvArch, stats);
    release = () => {
      model?.dispose();
      net.dispose();
    };
  }
  try {
    const accel = trialAccelerator(exp, trial);
    const breakdown = trialBreakdown(exp, trial);
    const units = Object.fromEntries([...COUNTER_OBJECTIVES, ...ACCELERATOR_OBJECTIVES, ...exp.objectives].map((o) => [o.name, o.unit]));
    const known = { ...metricProvenance(cfg), ...opts.provenance };
    const provenance: Record<string, Json> = {};
    for (const name of Object.keys(trial.metrics)) {
      provenance[name] = { source: known[name] ?? 'recorded by the search', experiment: exp.name, trial: trial.number, strategy: cfg.strategy.name };
    }
    return await writeBundle(resolve(opts.out), {
      ...(model ? { model } : {}),
      arch,
      ...(accel ? { hw: accel.hw } : {}),
      metrics: trial.metrics,
      provenance,
      predicted: trial.predicted,
      units,
      bits: layers.map((l) => ({ layer: l.name, weights: l.bits.weights, inputs: l.bits.inputs, outputs: l.bits.outputs })),
      ...(breakdown ? { breakdown } : {}),
      ...(trained ? { preprocessing: { dataset: trained.dataset, resolution: arch.resolution as number, mean: trained.norm.mean, std: trained.norm.std } } : {}),
      formats: opts.formats,
      source: { experiment: exp.name, experimentId: exp.id, trial: trial.number, trialId: trial.id, seed: exp.seed },
      overwrite: opts.overwrite ?? false,
      ...(opts.root !== undefined ? { root: opts.root } : {}),
    });
  } finally {
    release();
  }
}
