/**
 * The abstract attestation-packing instance of `weft pack` (`../shared/docs/interfaces.md`) and its result.
 *
 * Items are validator indices (or, in instances built from a pool, validator-and-epoch participation slots);
 * `weights[i]` is the proposer's reward for covering item i, `covered` the items already on chain. Groups are
 * attestation data, each with committees, each with the aggregates seen as lists of items. Phase0: choose at most
 * `limit` aggregates. Electra: choose at most `limit` groups and, in each, per committee, a set of pairwise disjoint
 * aggregates (they merge into one on-chain aggregate, EIP-7549). The value is the weight of the union covered.
 */
import { AttestationError } from "./errors.js";

export type PackingMode = "phase0" | "electra";

export interface PackingCommittee {
  /** The committee index (`CommitteeIndex`) within the slot. */
  index: number;
  /** The aggregates seen for this committee and data: item lists. */
  aggregates: readonly ArrayLike<number>[];
}

export interface PackingGroup {
  /** The attestation data's identity (its hash tree root in hex, for instances built from a pool). */
  key: string;
  committees: readonly PackingCommittee[];
}

export interface PackingInstance {
  mode: PackingMode;
  limit: number;
  weights: ArrayLike<number>;
  covered: ArrayLike<number>;
  groups: readonly PackingGroup[];
}

/** Electra: one on-chain aggregate per chosen group; per committee, the positions of the aggregates merged. */
export interface ElectraSelection {
  group: string;
  committees: Array<{ index: number; aggregates: number[] }>;
}

/** Phase0: one attestation per entry. */
export interface Phase0Selection {
  group: string;
  committee: number;
  aggregate: number;
}

export type PackingSelection =
  | { mode: "electra"; selection: ElectraSelection[] }
  | { mode: "phase0"; selection: Phase0Selection[] };

export type PackingAlgorithmName = "greedy" | "exact" | "ilp";

export interface PackingResult {
  value: number;
  /** True only when an upper bound met the value: the selection is proved optimal. */
  optimal: boolean;
  ms: number;
  algorithm: PackingAlgorithmName;
  selection: ElectraSelection[] | Phase0Selection[];
  /** The best upper bound known on the optimum (equal to `value` when `optimal`). */
  upperBound: number;
}

function fail(path: string, message: string): never {
  throw new AttestationError("INSTANCE_MALFORMED", `instance ${path}: ${message}`, { path });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Checks a parsed JSON value against the `weft pack` instance format and returns it typed. Rejects what would
 * make the problem ill-defined: negative or fractional weights, items out of range, an item twice in one
 * aggregate, two groups with one key, two committees with one index in a group.
 */
export function parsePackingInstance(json: unknown): PackingInstance {
  if (!isRecord(json)) fail("$", "expected an object");
  const { mode, limit, weights, covered, groups } = json;
  if (mode !== "phase0" && mode !== "electra")
    fail("mode", `expected "phase0" or "electra", got ${JSON.stringify(mode)}`);
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) fail("limit", "expected a whole number ≥ 0");
  if (!Array.isArray(weights)) fail("weights", "expected an array of whole numbers");
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (typeof w !== "number" || !Number.isSafeInteger(w) || w < 0)
      fail(`weights[${i}]`, "expected a whole number ≥ 0");
  }
  const n = weights.length;
  const inRange = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0 && x < n;
  const coveredList = covered === undefined ? [] : covered;
  if (!Array.isArray(coveredList)) fail("covered", "expected an array of item indices");
  for (let i = 0; i < coveredList.length; i++) {
    if (!inRange(coveredList[i])) fail(`covered[${i}]`, `expected an index below ${n}`);
  }
  if (!Array.isArray(groups)) fail("groups", "expected an array");
  const keys = new Set<string>();
  const stamp = new Int32Array(n);
  let generation = 0;
  groups.forEach((g: unknown, gi) => {
    const gp = `groups[${gi}]`;
    if (!isRecord(g)) fail(gp, "expected an object");
    if (typeof g.key !== "string") fail(`${gp}.key`, "expected a string");
    if (keys.has(g.key)) fail(`${gp}.key`, `key ${g.key} appears twice`);
    keys.add(g.key);
    if (!Array.isArray(g.committees)) fail(`${gp}.committees`, "expected an array");
    const indices = new Set<number>();
    g.committees.forEach((c: unknown, ci) => {
      const cp = `${gp}.committees[${ci}]`;
      if (!isRecord(c)) fail(cp, "expected an object");
      if (typeof c.index !== "number" || !Number.isInteger(c.index) || c.index < 0) {
        fail(`${cp}.index`, "expected a whole number ≥ 0");
      }
      if (indices.has(c.index)) fail(`${cp}.index`, `committee ${c.index} appears twice in the group`);
      indices.add(c.index);
      if (!Array.isArray(c.aggregates)) fail(`${cp}.aggregates`, "expected an array of item lists");
      c.aggregates.forEach((a: unknown, ai) => {
        const ap = `${cp}.aggregates[${ai}]`;
        if (!Array.isArray(a)) fail(ap, "expected an array of item indices");
        generation++;
        for (let k = 0; k < a.length; k++) {
          const item = a[k];
          if (!inRange(item)) fail(`${ap}[${k}]`, `expected an index below ${n}`);
          if (stamp[item] === generation) fail(`${ap}[${k}]`, `item ${item} appears twice in one aggregate`);
          stamp[item] = generation;
        }
      });
    });
  });
  return { mode, limit, weights, covered: coveredList, groups } as PackingInstance;
}
