/** Test helpers for typed lists: vitest's deep equality walks typed arrays element by element, slowly. */

/** The first index where two lists differ (or the shorter length), -1 when equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** A deterministic list of arbitrary u32 values (validator indices need not be 0..n-1), some >= 2^31. */
export function listOf(n: number, salt: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => Math.imul(i + salt, 2654435761) >>> 0);
}

export function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
