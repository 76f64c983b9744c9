/**
 * computeDeltas: the change of each proto-array node's weight caused by moved latest messages and by changed
 * balances, the batched form of the spec's `get_weight` sum.
 *
 * Latest messages live in two `Uint32Array`s indexed by validator: `current[v]` is the node whose weight now
 * includes v's balance, `next[v]` the node of v's latest message. A node is named by its id, a stable insertion
 * number; the node with id `i` sits at position `i - base` of the proto-array (ids below `base` were pruned below
 * finality and their votes touch nothing), and id 0 means "no vote". Balances are `Float64Array`s of exact integers
 * in the store's weight unit (see `forkChoice.ts`).
 *
 * Why typed arrays: at 1-2 million validators this loop is the whole cost of a full re-weighing. Lodestar keeps
 * votes as objects with hex-string roots and a `Map` lookup per root; here one pass reads four flat arrays, does
 * two range checks, and allocates nothing. Equivocating validators need no test in the loop: the store takes
 * their weight off and zeroes their votes once (`onAttesterSlashing`), so they never count again.
 *
 * The store streams single votes into the same deltas as they arrive (`ForkChoice.applyVotes`); this batch form
 * runs when the justified balances change, when every weight is recomputed.
 */

/** The node id meaning "no latest message". */
export const NO_VOTE = 0;

export interface ComputeDeltasParameters {
  /** Per-node delta accumulator (position-indexed), added to, not cleared. */
  deltas: Float64Array;
  /** Number of nodes in the proto-array now. */
  nodeCount: number;
  /** Id of the node at position 0. */
  base: number;
  current: Uint32Array;
  next: Uint32Array;
  oldBalances: Float64Array;
  newBalances: Float64Array;
}

/**
 * Every validator `v < validatorCount`: moves v's old balance off `current[v]` and v's new balance onto `next[v]`,
 * then sets `current[v] = next[v]`.
 */
export function computeDeltas(params: ComputeDeltasParameters, validatorCount: number): void {
  const { deltas, nodeCount, base, current, next, oldBalances, newBalances } = params;
  for (let v = 0; v < validatorCount; v++) {
    const c = current[v] as number;
    const n = next[v] as number;
    const oldBalance = oldBalances[v] as number;
    const newBalance = newBalances[v] as number;
    if (c === n && oldBalance === newBalance) continue;
    // `>>> 0` folds "no vote" (id 0) and pruned ids (below base) into one unsigned range check.
    const ci = (c - base) >>> 0;
    if (ci < nodeCount) deltas[ci] = (deltas[ci] as number) - oldBalance;
    const ni = (n - base) >>> 0;
    if (ni < nodeCount) deltas[ni] = (deltas[ni] as number) + newBalance;
    current[v] = n;
  }
}
