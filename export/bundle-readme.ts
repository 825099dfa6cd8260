/**
 * The README.md written into every bundle: what each file is, the model's input contract
 * (preprocessing, shape, logits), where each figure comes from, the clock behind the per-layer
 * cycles and the quantisation scheme — the last from the same constant arch.json records, so the
 * two cannot disagree.
 */
import type { Json } from '../core/types.ts';

/**
 * What supernet/quantize.ts and extract.ts do: bit-widths are chosen per layer
 * (arch.json lists them); weights use one symmetric scale per output channel and are stored
 * already quantised-then-dequantised; activations use one unsigned scale per tensor.
 */
export const QUANTIZATION = {
  granularity: { bitWidth: 'per-layer', weightScale: 'per-output-channel', activationScale: 'per-tensor' },
  weights: 'symmetric, scale = max|w| / (2^(b-1) - 1) per output channel (per channel for depthwise kernels); the float32 weights are stored already quantised-dequantised at each layer\'s bits',
  activations: 'unsigned over [0, max] after ReLU6, scale = max / (2^b - 1) per tensor; the ranges and bits are in model.json userDefinedMetadata (activationRanges, activationBits) and are not applied by the float graph',
} as const;

export interface Preprocessing {
  /** Dataset the checkpoint was trained on (its images are 8-bit, e.g. 28×28×1 for fashion-mnist). */
  readonly dataset: string;
  /** Side of the square input the subnet expects. */
  readonly resolution: number;
  readonly mean: number;
  readonly std: number;
}

export interface ReadmeFacts {
  readonly files: readonly string[];
  readonly inputShape?: readonly (number | null)[];
  readonly outputShape?: readonly (number | null)[];
  readonly figures: Readonly<Record<string, { value: number; unit?: string; provenance: Json }>>;
  /** The search's prediction before verification (shown apart, labelled as predicted). */
  readonly predicted?: Json;
  readonly layers: number;
  readonly source?: Json;
  readonly preprocessing?: Preprocessing;
  /** Clock of the accelerator the per-layer cycles in accelerator.json count. */
  readonly clockGHz?: number;
  readonly accelerator?: string;
}

const DESCRIBE: Readonly<Record<string, string>> = {
  'model.json': 'TF.js LayersModel topology + weights manifest (standard TF.js layout)',
  'weights.bin': 'TF.js weights (float32, little-endian), referenced by model.json',
  'model.onnx': 'the same network as ONNX (opset 13); input/output layout as in TF.js (NHWC)',
  'arch.json': 'the network architecture and its quantisation bits per layer',
  'accelerator.json': 'the accelerator configuration, its clock, and per layer: mapping, cycles, energy by storage level, utilisation',
  'metrics.json': 'every figure of the trial with its unit and provenance',
  'README.md': 'this file',
};

function provenanceText(p: Json): string {
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && 'source' in p) return String((p as { source: Json }).source);
  return typeof p === 'string' ? p : JSON.stringify(p);
}

const shapeText = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'N').join(', ')}]`;

function inputSection(f: ReadmeFacts): string[] {
  if (!f.files.includes('model.json') && !f.files.includes('model.onnx')) return [];
  const shape = f.inputShape ? shapeText(f.inputShape) : 'as in model.json';
  const out = ['', '## Input and output', '', `- Input: float32 tensor ${shape}, NHWC (batch, height, width, channels), the TF.js layout in both formats.`];
  const p = f.preprocessing;
  if (p) {
    out.push(
      `- Preprocessing (as in training, ${p.dataset} checkpoint): divide 8-bit pixels by 255, normalise with mean ${p.mean.toFixed(4)} and std ${p.std.toFixed(4)}`,
      `  (x = (pixel / 255 − ${p.mean.toFixed(4)}) / ${p.std.toFixed(4)}), then resize bilinearly (align_corners = true) to ${p.resolution}×${p.resolution}`,
      '  (the resize is linear, so normalising before or after it gives the same input).',
    );
  }
  out.push(`- Output: logits ${f.outputShape ? shapeText(f.outputShape) : '[N, classes]'} — unnormalised class scores (no softmax in the graph); apply softmax for probabilities, argmax for the predicted class.`);
  return out;
}

export function bundleReadme(f: ReadmeFacts): string {
  const lines = ['# nas-codesign export bundle', ''];
  if (f.source !== undefined) lines.push(`Exported from: \`${JSON.stringify(f.source)}\``, '');
  lines.push('| file | contents |', '|---|---|');
  for (const name of f.files) lines.push(`| \`${name}\` | ${DESCRIBE[name] ?? ''} |`);
  lines.push(...inputSection(f));
  const figures = Object.entries(f.figures);
  if (figures.length > 0) {
    lines.push('', '## Figures', '', '| metric | value | unit | provenance |', '|---|---|---|---|');
    for (const [k, v] of figures) lines.push(`| ${k} | ${v.value} | ${v.unit ?? ''} | ${provenanceText(v.provenance)} |`);
  }
  if (f.clockGHz !== undefined) {
    lines.push(
      '',
      '## Accelerator',
      '',
      `\`accelerator.json\` maps every layer onto ${f.accelerator ?? 'the accelerator'}. Per-layer \`cycles\` count clock cycles at ${f.clockGHz} GHz`,
      `(latencyMs = cycles / (${f.clockGHz} × 10⁶)); energies are in pJ, split by storage level (MAC = datapath incl. leakage);`,
      'utilization is useful MACs per PE per cycle (1 = every PE busy at full precision; Bit Fusion PEs multiply several',
      'low-bit products per cycle, so theirs can exceed 1); batch size 1.',
    );
  }
  if (f.predicted !== undefined) {
    lines.push(
      '', '## Predicted before verification (not measured)', '',
      'What the search strategy expected for this candidate when it picked it — its predictor\'s estimate, kept',
      'for comparison with the verified figures above:', '', '```json', JSON.stringify(f.predicted, null, 2), '```',
    );
  }
  lines.push('', '## Loading', '');
  if (f.files.includes('model.json')) {
    lines.push(
      '- TF.js: `tf.loadLayersModel("file://<dir>/model.json")` with @tensorflow/tfjs-node, or',
      '  `loadBundleModel(dir)` from nas-codesign\'s `export/bundle.ts`.',
    );
  }
  if (f.files.includes('model.onnx')) {
    lines.push('- ONNX: `ort.InferenceSession.create("<dir>/model.onnx")`; feed the same float32 NHWC tensor as TF.js.');
  }
  if (f.layers > 0) {
    const g = QUANTIZATION.granularity;
    lines.push(
      '',
      '## Quantisation',
      '',
      `Bit-widths are chosen ${g.bitWidth} (\`arch.json\` → quantization.layers lists weight/input/output bits for ${f.layers} layers).`,
      `- Weights (${g.weightScale} scales): ${QUANTIZATION.weights}.`,
      `- Activations (${g.activationScale} scales): ${QUANTIZATION.activations}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
