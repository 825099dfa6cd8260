/** Row-major one-hot rows of categorical genomes (`arity` choices per gene), the GP tests' inputs. */
export function oneHot(genes: readonly (readonly number[])[], arity: number): Float32Array {
  const width = (genes[0]?.length ?? 0) * arity;
  const x = new Float32Array(genes.length * width);
  genes.forEach((g, r) => g.forEach((v, i) => (x[r * width + i * arity + v] = 1)));
  return x;
}
