/**
 * Log-log interpolation through published (size, value) points: cost tables of memories and
 * technology factors are close to power laws between their measured points, so interpolating
 * log(value) against log(size) keeps their shape; outside the table the end segments extend.
 */
export type Points = readonly (readonly [number, number])[];

export function logLogInterp(points: Points, x: number, extrapolate = true): number {
  if (points.length === 0) throw new RangeError('logLogInterp: no points');
  const first = points[0] as readonly [number, number];
  const last = points[points.length - 1] as readonly [number, number];
  if (points.length === 1) return first[1];
  if (!extrapolate) {
    if (x <= first[0]) return first[1];
    if (x >= last[0]) return last[1];
  }
  let i = points.length - 2;
  for (let k = 0; k < points.length - 1; k++) {
    if (x <= (points[k + 1] as readonly [number, number])[0]) { i = k; break; }
  }
  const [x0, y0] = points[i] as readonly [number, number];
  const [x1, y1] = points[i + 1] as readonly [number, number];
  const t = Math.log(x / x0) / Math.log(x1 / x0);
  return y0 * Math.pow(y1 / y0, t);
}
