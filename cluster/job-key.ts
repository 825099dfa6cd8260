/**
 * What a job key names, for people reading a worker's current jobs: keys are built by their issuers
 * as `eval/<experiment>/<step>/<index>` (coordinator.ts), `lut/<device>/<space>/b<batch>/<clock>/<i>`
 * (lut-jobs.ts) and `map/<request hash>/<layer>` (map-jobs.ts). An unknown shape stays a bare key.
 */
export type JobRef =
  | { readonly key: string; readonly kind: 'eval'; readonly experimentId: number; readonly step: number; readonly index: number }
  | { readonly key: string; readonly kind: 'lut'; readonly device: string; readonly space: string; readonly index: number }
  | { readonly key: string; readonly kind: 'map'; readonly request: string; readonly layer: number }
  | { readonly key: string; readonly kind: 'other' };

export function jobRef(key: string): JobRef {
  const p = key.split('/');
  const int = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);
  if (p[0] === 'eval' && p.length === 4) {
    const [e, s, i] = [int(p[1]), int(p[2]), int(p[3])];
    if (e !== null && s !== null && i !== null) return { key, kind: 'eval', experimentId: e, step: s, index: i };
  }
  if (p[0] === 'lut' && p.length === 6) {
    const i = int(p[5]);
    if (i !== null) return { key, kind: 'lut', device: p[1]!, space: p[2]!, index: i };
  }
  if (p[0] === 'map' && p.length === 3) {
    const l = int(p[2]);
    if (l !== null) return { key, kind: 'map', request: p[1]!, layer: l };
  }
  return { key, kind: 'other' };
}
