/**
 * The conflict graph of a block executed in order: transaction i depends on an earlier j when i reads or
 * writes something j wrote (read-after-write, write-after-write; the coinbase's lazy fee credits excluded; the
 * account-has-storage flag only orders its readers).
 *
 * - `availableParallelism`: total work over the work on the graph's critical path, the speedup unlimited cores
 *   could reach. One pass over the accesses: for each key, the longest path ending at its last writer.
 * - `conflictLevels`: level 0 for a transaction that depends on nothing, else one more than its deepest
 *   dependency; transactions of one level are conflict-free among themselves and may run together.
 */
import {
  ACCOUNT_BALANCE,
  ACCOUNT_CODE,
  ACCOUNT_EXISTS,
  ACCOUNT_NONCE,
  ACCOUNT_STORAGE,
  type TxAccess,
} from "../state/access.js";

const FIELDS = [ACCOUNT_EXISTS, ACCOUNT_NONCE, ACCOUNT_BALANCE, ACCOUNT_CODE, ACCOUNT_STORAGE];

function keysOf(access: TxAccess, which: "reads" | "writes", fieldMask = -1): string[] {
  const set = access[which];
  const keys: string[] = [];
  for (const [address, mask] of set.accounts) {
    for (const bit of FIELDS) if (mask & bit & fieldMask) keys.push(`${address}|f${bit}`);
  }
  for (const [address, slots] of set.storage) for (const slot of slots) keys.push(`${address}|${slot}`);
  return keys;
}

/** For each transaction, the longest chain of dependencies ending at it, weighted by `work`. */
function longestPaths(
  accesses: readonly TxAccess[],
  work: readonly number[],
  combine: (a: number, w: number) => number,
): number[] {
  const atKey = new Map<string, number>();
  return accesses.map((access, i) => {
    let before = 0;
    // Depends on earlier writers of what it reads or writes; two writes of the storage flag do not order each
    // other (their slots do).
    for (const key of [...keysOf(access, "reads"), ...keysOf(access, "writes", ~ACCOUNT_STORAGE)]) {
      const v = atKey.get(key);
      if (v !== undefined && v > before) before = v;
    }
    const mine = combine(before, work[i] ?? 0);
    for (const key of keysOf(access, "writes")) atKey.set(key, Math.max(atKey.get(key) ?? 0, mine));
    return mine;
  });
}

export interface ParallelismReport {
  totalWork: number;
  criticalPathWork: number;
  /** totalWork / criticalPathWork (1 for an empty block). */
  availableParallelism: number;
}

export function availableParallelism(accesses: readonly TxAccess[], work: readonly number[]): ParallelismReport {
  const paths = longestPaths(accesses, work, (before, w) => before + w);
  const totalWork = work.reduce((a, b) => a + b, 0);
  const criticalPathWork = paths.reduce((a, b) => Math.max(a, b), 0);
  return { totalWork, criticalPathWork, availableParallelism: criticalPathWork > 0 ? totalWork / criticalPathWork : 1 };
}

export function conflictLevels(accesses: readonly TxAccess[]): number[] {
  // Level = longest chain counted in transactions, minus one.
  return longestPaths(
    accesses,
    accesses.map(() => 1),
    (before, w) => before + w,
  ).map((l) => l - 1);
}

/**
 * For each transaction, the last one before it that writes something it reads (read-after-write only), or −1:
 * where its access sets are known ahead (a builder's simulation of its orders), the newest commit a speculation of
 * it must have seen to be valid. A transaction whose sets are unknown (undefined) gets −1 and adds no writes: its
 * speculation is validated as any other, it is only not scheduled by what cannot be known.
 */
export function lastWritersBefore(accesses: ReadonlyArray<TxAccess | undefined>): Int32Array {
  const writer = new Map<string, number>();
  const out = new Int32Array(accesses.length).fill(-1);
  accesses.forEach((access, i) => {
    if (access === undefined) return;
    let last = -1;
    for (const key of keysOf(access, "reads")) {
      const w = writer.get(key);
      if (w !== undefined && w > last) last = w;
    }
    out[i] = last;
    for (const key of keysOf(access, "writes")) writer.set(key, i);
  });
  return out;
}
