/**
 * Long-running library work (dataset caching, training, LUT builds, searches) reports progress
 * through this callback instead of printing, so the CLI can draw a bar, the server can stream
 * events, and tests stay quiet.
 */
export interface ProgressUpdate {
  /** Stable name of the phase, e.g. 'epoch 3/10' or 'lut'. */
  readonly phase: string;
  readonly done: number;
  /** 0: a phase without a count (e.g. 'verifying the checkpoint'): shown as started, no bar. */
  readonly total: number;
  /** Extra figures to show next to the bar (loss, accuracy, images/s, ...). */
  readonly fields?: Readonly<Record<string, string | number>>;
}

export type ProgressFn = (update: ProgressUpdate) => void;

export const noProgress: ProgressFn = () => {};
