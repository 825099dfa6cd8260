/** The short README.md written into every bundle: what each file is and how to load it. */
import type { Json } from '../core/types.ts';

export interface ReadmeFacts {
  readonly files: readonly string[];
  readonly inputShape?: readonly (number | null)[];
  readonly figures: Readonly<Record<string, { value: number; unit?: string; provenance: Json }>>;
  /** The search's prediction before verification (shown apart, labelled as predicted). */
  readonly predicted?: Json;
  readonly layers: number;
  readonly source?: Json;
}

const DESCRIBE: Readonly<Record<string, string>> = {
  'model.json': 'TF.js LayersModel topology + weights manifest (standard TF.js layout)',
  'weights.bin': 'TF.js weights (float32, little-endian), referenced by model.json',
  'model.onnx': 'the same network as ONNX (opset 13); input/output layout as in TF.js (NHWC)',
  'arch.json': 'the network architecture and its quantization bits per layer',
  'accelerator.json': 'the accelerator configuration and the chosen mapping per layer',
  'metrics.json': 'accuracy / latency / energy / area / size figures, each with its provenance',
  'README.md': 'this file',
};

function provenanceText(p: Json): string {
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && 'source' in p) return String((p as { source: Json }).source);
  return typeof p === 'string' ? p : JSON.stringify(p);
}

export function bundleReadme(f: ReadmeFacts): string {
  const lines = ['# nas-codesign export bundle', ''];
  if (f.source !== undefined) lines.push(`Exported from: \`${JSON.stringify(f.source)}\``, '');
  lines.push('| file | contents |', '|---|---|');
  for (const name of f.files) lines.push(`| \`${name}\` | ${DESCRIBE[name] ?? ''} |`);
  const figures = Object.entries(f.figures);
  if (figures.length > 0) {
    lines.push('', '## Figures', '', '| metric | value | provenance |', '|---|---|---|');
    for (const [k, v] of figures) lines.push(`| ${k} | ${v.value}${v.unit ? ` ${v.unit}` : ''} | ${provenanceText(v.provenance)} |`);
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
    const shape = f.inputShape ? `[${f.inputShape.map((d) => d ?? 'N').join(', ')}]` : 'as in TF.js';
    lines.push(`- ONNX: \`ort.InferenceSession.create("<dir>/model.onnx")\`; feed float32 ${shape} (NHWC, the TF.js layout).`);
  }
  if (f.layers > 0) {
    lines.push(
      '',
      `Quantization: \`arch.json\` lists weight/input/output bits for ${f.layers} layers. The stored weights are`,
      'float32; the figures assume post-training per-channel quantization at those bit-widths.',
    );
  }
  return `${lines.join('\n')}\n`;
}
