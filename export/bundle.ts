/**
 * Export bundle: everything needed to deploy one picked (network, accelerator) pair —
 * the TF.js model, the same model as ONNX, the architecture with its per-layer quantization bits,
 * the accelerator with its per-layer mapping, the figures with where each came from, and a README.
 */
import { createHash } from 'node:crypto';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tflayers from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.ts';
import type { Arch, HwConfig, Json, JsonObject, LayerBits, Metrics } from '../core/types.ts';
import type { AcceleratorBreakdown } from './breakdown.ts';
import { bundleReadme, QUANTIZATION, type Preprocessing } from './bundle-readme.ts';
import { MODEL_JSON, WEIGHTS_BIN, fileLoadHandler, fileSaveHandler } from './fs-io.ts';
import { tfjsToOnnx } from './onnx/convert.ts';
import type { OnnxExportOptions } from './onnx/convert.ts';
import { commitBundleDir, discardStaging, stageBundleDir } from './atomic-dir.ts';
import { checkBundleDir, readNoFollow, writeNoFollow } from './safe-dir.ts';
import type { BundleDirOptions } from './safe-dir.ts';

export const BUNDLE_FORMATS = ['tfjs', 'onnx', 'json'] as const;
export type BundleFormat = (typeof BUNDLE_FORMATS)[number];

const ALL_FILES = [MODEL_JSON, WEIGHTS_BIN, 'model.onnx', 'arch.json', 'accelerator.json', 'metrics.json', 'README.md'];

export interface LayerBitsEntry extends LayerBits {
  readonly layer: string;
}

/** The mapping the cost model chose for one layer (loop order, tiling, utilisation, …). */
export interface LayerMappingEntry {
  readonly layer: string;
  readonly mapping: JsonObject;
}

export interface BundleInput extends BundleDirOptions {
  /** Required when formats include 'tfjs' or 'onnx'. */
  readonly model?: tfl.LayersModel;
  readonly arch: Arch;
  /** The accelerator; accelerator.json is written only when given. */
  readonly hw?: HwConfig;
  readonly metrics: Metrics;
  /** Where each figure came from (estimator, LUT, measurement, …); one entry per metric. */
  readonly provenance: Readonly<Record<string, Json>>;
  /** Units per metric, e.g. { latency_ms: 'ms' }. */
  readonly units?: Readonly<Record<string, string>>;
  /**
   * What the search predicted for this candidate before verifying it (a surrogate's estimate):
   * written under `predicted` in metrics.json and labelled as a prediction in the README, never
   * among the measured `figures`.
   */
  readonly predicted?: JsonObject | null;
  readonly bits: readonly LayerBitsEntry[];
  readonly mapping?: readonly LayerMappingEntry[];
  /** Per-layer accelerator costs (export/breakdown.ts); gives the mapping entries when `mapping` is absent. */
  readonly breakdown?: AcceleratorBreakdown;
  /** How images become the model's input (stated in the README). */
  readonly preprocessing?: Preprocessing;
  readonly formats: readonly string[];
  /** Experiment / trial the bundle came from, copied into every JSON file. */
  readonly source?: JsonObject;
  readonly onnx?: Pick<OnnxExportOptions, 'converters'>;
}

export interface BundleFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface BundleResult {
  readonly dir: string;
  readonly files: readonly BundleFile[];
}

function parseFormats(formats: unknown): Set<BundleFormat> {
  if (!Array.isArray(formats) || formats.length === 0) throw new ConfigError('formats', formats, `must be a non-empty list of ${BUNDLE_FORMATS.join(', ')}`);
  const out = new Set<BundleFormat>();
  for (const f of formats) {
    if (!BUNDLE_FORMATS.includes(f as BundleFormat)) throw new ConfigError('formats', f, `unknown format; choose from ${BUNDLE_FORMATS.join(', ')}`);
    if (out.has(f as BundleFormat)) throw new ConfigError('formats', f, 'is listed twice');
    out.add(f as BundleFormat);
  }
  return out;
}

function checkInput(input: BundleInput, formats: Set<BundleFormat>): void {
  if ((formats.has('tfjs') || formats.has('onnx')) && !input.model) throw new ConfigError('model', input.model, 'is required for the tfjs and onnx formats');
  for (const [k, v] of Object.entries(input.metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`metrics.${k}`, v, 'must be a finite number');
    if (!(k in input.provenance) || input.provenance[k] === undefined) throw new ConfigError(`provenance.${k}`, undefined, 'every figure needs its provenance');
  }
  input.bits.forEach((b, i) => {
    if (typeof b.layer !== 'string' || b.layer === '') throw new ConfigError(`bits[${i}].layer`, b.layer, 'must be a layer name');
    for (const k of ['weights', 'inputs', 'outputs'] as const) {
      if (!Number.isInteger(b[k]) || b[k] < 1 || b[k] > 32) throw new ConfigError(`bits[${i}].${k}`, b[k], 'must be an integer bit-width in 1..32');
    }
  });
  (input.mapping ?? []).forEach((m, i) => {
    if (typeof m.layer !== 'string' || m.layer === '') throw new ConfigError(`mapping[${i}].layer`, m.layer, 'must be a layer name');
  });
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export const PREDICTED_NOTE = "the search strategy's prediction made before this candidate was verified; not a measurement (the verified values are under figures)";

/**
 * Writes the bundle into `dir` (see BundleDirOptions for the safety rules). The files are written to a
 * staging directory beside it and renamed into place, so an interrupted export never leaves a partial
 * bundle under `dir` (atomic-dir.ts).
 */
export async function writeBundle(dir: string, input: BundleInput): Promise<BundleResult> {
  const formats = parseFormats(input.formats);
  checkInput(input, formats);
  // Convert before touching the disk, so an unsupported layer leaves no half-written bundle.
  const onnx = formats.has('onnx') && input.model ? tfjsToOnnx(input.model, { ...input.onnx, metadata: { 'nas-codesign.arch': JSON.stringify(input.arch) } }) : undefined;
  const target = await checkBundleDir(dir, input);
  const staging = await stageBundleDir(target);
  try {
    const files = await writeFiles(staging, input, formats, onnx);
    await commitBundleDir(staging, target, ALL_FILES);
    return { dir: target, files };
  } catch (e) {
    await discardStaging(staging);
    throw e;
  }
}

async function writeFiles(real: string, input: BundleInput, formats: Set<BundleFormat>, onnx: Uint8Array | undefined): Promise<BundleFile[]> {
  const written = new Map<string, Uint8Array>();
  const put = async (name: string, data: Uint8Array | string) => {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    await writeNoFollow(real, name, bytes);
    written.set(name, bytes);
  };
  if (formats.has('tfjs') && input.model) {
    await input.model.save(fileSaveHandler(real));
    for (const name of [MODEL_JSON, WEIGHTS_BIN]) written.set(name, await readNoFollow(real, name));
  }
  if (onnx) await put('model.onnx', onnx);
  const source = input.source ?? null;
  const figures: Record<string, { value: number; unit?: string; provenance: Json }> = {};
  for (const [k, v] of Object.entries(input.metrics)) {
    const unit = input.units?.[k];
    figures[k] = { value: v, ...(unit ? { unit } : {}), provenance: input.provenance[k] as Json };
  }
  const b = input.breakdown;
  const mapping = input.mapping ?? (b ? b.layers.map(({ layer, mapping: text, ...figures }) => ({ layer, mapping: { text, ...figures } })) : []);
  if (formats.has('json')) {
    await put('arch.json', json({ source, arch: input.arch, quantization: { ...QUANTIZATION, layers: input.bits } }));
    const costs = b ? { accelerator: b.accelerator, clockGHz: b.clockGHz, peArray: b.peArray, levels: b.levels, totals: b.totals, units: b.units, provenance: b.provenance } : {};
    if (input.hw) await put('accelerator.json', json({ source, hw: input.hw, ...costs, mapping }));
    await put('metrics.json', json({ source, figures, ...(input.predicted ? { predicted: { note: PREDICTED_NOTE, values: input.predicted } } : {}) }));
  }
  await put(
    'README.md',
    bundleReadme({
      files: [...written.keys()].concat('README.md'),
      inputShape: input.model?.inputs[0]?.shape,
      outputShape: input.model?.outputs[0]?.shape,
      figures,
      ...(input.predicted ? { predicted: input.predicted } : {}),
      layers: input.bits.length,
      ...(input.preprocessing ? { preprocessing: input.preprocessing } : {}),
      ...(b ? { clockGHz: b.clockGHz, accelerator: b.accelerator } : {}),
      ...(input.source ? { source: input.source } : {}),
    }),
  );
  return [...written.entries()].map(([name, data]) => ({ name, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') }));
}

/** Reloads the bundle's TF.js model (custom layer classes must be registered by the caller). */
export async function loadBundleModel(dir: string): Promise<tfl.LayersModel> {
  return tflayers.loadLayersModel(fileLoadHandler(dir));
}
