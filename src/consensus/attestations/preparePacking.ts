/**
 * Turns a packing instance into the compact problem every algorithm works on, in time linear in its size.
 *
 * 1. Items already covered or of zero weight are dropped from every aggregate; the rest get dense ids. An
 *    aggregate left empty is worth nothing and is dropped too ("kept" aggregates are the others).
 * 2. Electra: the conflicts between kept aggregates of one committee (they overlap, so they cannot merge) are
 *    computed on their full item lists, covered items included: overlapping bits cannot be merged whatever they
 *    are worth. Each committee's conflicts are a bit matrix over its kept aggregates.
 * 3. Components: units (phase0: aggregates, electra: groups) that share an item are joined; components are
 *    independent, so an exact solver solves each and only allocates the `limit` between them. In electra,
 *    committees sharing an item are clustered too: in a group alone in its component, each cluster is solved alone.
 *
 * Hot loops run on typed arrays, and the per-item scratch arrays (as long as `weights`) live at module level and
 * are cleaned after use rather than reallocated: a realistic instance has a million items and millions of entries.
 */
import type { PackingInstance, PackingMode } from "./packingInstance.js";
import { UnionFind } from "./unionFind.js";

export interface PackingComponent {
  /** Phase0: aggregate ids; electra: group positions. */
  units: Int32Array;
  /** Every kept aggregate of the component. */
  aggs: Int32Array;
}

export interface PreparedPacking {
  mode: PackingMode;
  limit: number;
  instance: PackingInstance;
  committeeCount: number;
  /** Group position of each committee (committees are numbered group by group). */
  committeeGroup: Int32Array;
  /** Position of each committee in its group's list. */
  committeePos: Int32Array;
  /** Committee c's kept aggregates are ids `committeeAggStart[c]` to `committeeAggStart[c + 1] - 1`. */
  committeeAggStart: Int32Array;
  /** Electra: words per row of committee c's conflict matrix (0 in phase0). */
  conflictWords: Int32Array;
  /** Electra: offset of committee c's conflict matrix in `conflictBits` (row r = local aggregate r). */
  conflictOffset: Int32Array;
  conflictBits: Uint32Array;
  /** Electra: committees joined by shared items carry the same cluster id (a committee id). */
  committeeCluster: Int32Array;
  /** Electra: number of committees in each cluster, indexed by cluster id. */
  clusterSize: Int32Array;
  groupFirstCommittee: Int32Array;
  aggCount: number;
  aggCommittee: Int32Array;
  /** The aggregate's position in its committee's list in the instance. */
  aggPosition: Int32Array;
  /** Weight of the aggregate's uncovered items. */
  aggValue: Float64Array;
  /** Aggregate a's uncovered items are `items[itemStart[a]]` to `items[itemStart[a + 1] - 1]` (dense ids). */
  itemStart: Int32Array;
  items: Int32Array;
  itemCount: number;
  itemWeight: Float64Array;
  components: PackingComponent[];
}

// Module-level scratch indexed by item (instance ids), grown on demand and left zeroed after each call, so that
// preparing a million-item instance does not allocate and clear tens of megabytes every time.
let denseOf = new Int32Array(0);
let ownerMask = new Int32Array(0);

function scratch(n: number): void {
  if (denseOf.length < n) {
    denseOf = new Int32Array(n);
    ownerMask = new Int32Array(n);
  }
}

export function preparePacking(instance: PackingInstance): PreparedPacking {
  const { weights, covered, groups, mode } = instance;
  const electra = mode === "electra";
  const nItems = weights.length;
  scratch(nItems);
  // Local aliases: V8 reloads module-level bindings on every access in a loop.
  const dense = denseOf;

  let committeeCount = 0;
  let totalAggs = 0;
  let totalEntries = 0;
  for (const g of groups) {
    committeeCount += g.committees.length;
    for (const c of g.committees) {
      totalAggs += c.aggregates.length;
      for (const a of c.aggregates) totalEntries += a.length;
    }
  }

  // dense[item]: 0 unseen, -1 worthless (covered or zero weight), d + 1 for dense id d.
  for (let i = 0; i < covered.length; i++) dense[covered[i] as number] = -1;
  const denseCap = Math.min(nItems, totalEntries);
  const originalOf = new Int32Array(denseCap);
  const itemWeight = new Float64Array(denseCap);
  const itemStamp = new Int32Array(denseCap);
  let itemCount = 0;
  const worthless: number[] = [];

  const committeeGroup = new Int32Array(committeeCount);
  const committeePos = new Int32Array(committeeCount);
  const committeeAggStart = new Int32Array(committeeCount + 1);
  const groupFirstCommittee = new Int32Array(groups.length + 1);
  const aggCommittee = new Int32Array(totalAggs);
  const aggPosition = new Int32Array(totalAggs);
  const aggValue = new Float64Array(totalAggs);
  const itemStart = new Int32Array(totalAggs + 1);
  const items = new Int32Array(totalEntries);
  const conflictWords = new Int32Array(committeeCount);
  const conflictOffset = new Int32Array(committeeCount);
  const conflictChunks: Uint32Array[] = [];
  let conflictLength = 0;

  let aggCount = 0;
  let entry = 0;
  let cid = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi] as PackingInstance["groups"][number];
    groupFirstCommittee[gi] = cid;
    for (let ci = 0; ci < g.committees.length; ci++, cid++) {
      const c = g.committees[ci] as PackingInstance["groups"][number]["committees"][number];
      committeeGroup[cid] = gi;
      committeePos[cid] = ci;
      committeeAggStart[cid] = aggCount;
      for (let pos = 0; pos < c.aggregates.length; pos++) {
        const agg = c.aggregates[pos] as ArrayLike<number>;
        const start = entry;
        const stamp = aggCount + 1;
        let value = 0;
        for (let k = 0; k < agg.length; k++) {
          const item = agg[k] as number;
          let d = dense[item] as number;
          if (d === 0) {
            const w = weights[item] as number;
            if (w > 0) {
              d = itemCount + 1;
              originalOf[itemCount] = item;
              itemWeight[itemCount] = w;
              itemCount++;
            } else {
              d = -1;
              worthless.push(item);
            }
            dense[item] = d;
          }
          if (d < 0 || itemStamp[d - 1] === stamp) continue;
          itemStamp[d - 1] = stamp;
          items[entry++] = d - 1;
          value += itemWeight[d - 1] as number;
        }
        if (value > 0) {
          aggCommittee[aggCount] = cid;
          aggPosition[aggCount] = pos;
          aggValue[aggCount] = value;
          itemStart[aggCount] = start;
          aggCount++;
          itemStart[aggCount] = entry;
        } else {
          entry = start;
        }
      }
      const kept = aggCount - (committeeAggStart[cid] as number);
      if (electra && kept > 1) {
        const words = (kept + 31) >>> 5;
        const bits = committeeConflicts(c.aggregates, aggPosition, committeeAggStart[cid] as number, kept, words);
        conflictWords[cid] = words;
        conflictOffset[cid] = conflictLength;
        conflictChunks.push(bits);
        conflictLength += bits.length;
      }
    }
  }
  committeeAggStart[committeeCount] = aggCount;
  groupFirstCommittee[groups.length] = committeeCount;
  // Leave the scratch zeroed for the next call.
  for (let i = 0; i < covered.length; i++) dense[covered[i] as number] = 0;
  for (let d = 0; d < itemCount; d++) dense[originalOf[d] as number] = 0;
  for (const item of worthless) dense[item] = 0;

  const conflictBits = new Uint32Array(conflictLength);
  let off = 0;
  for (const chunk of conflictChunks) {
    conflictBits.set(chunk, off);
    off += chunk.length;
  }

  const { components, committeeCluster, clusterSize } = findComponents(
    electra,
    groups.length,
    committeeCount,
    committeeGroup,
    aggCount,
    aggCommittee,
    itemStart,
    items,
    itemCount,
  );

  return {
    mode,
    limit: instance.limit,
    instance,
    committeeCount,
    committeeGroup,
    committeePos,
    committeeAggStart,
    conflictWords,
    conflictOffset,
    conflictBits,
    committeeCluster,
    clusterSize,
    groupFirstCommittee,
    aggCount,
    aggCommittee,
    aggPosition: aggPosition.subarray(0, aggCount),
    aggValue: aggValue.subarray(0, aggCount),
    itemStart: itemStart.subarray(0, aggCount + 1),
    items: items.subarray(0, entry),
    itemCount,
    itemWeight: itemWeight.subarray(0, itemCount),
    components,
  };
}

/**
 * The conflict matrix of one committee's kept aggregates (local ids 0..kept-1, row r = words bits): r and s
 * conflict when their full item lists overlap. Owner masks per item, 32 aggregates at a time, so the cost is
 * (kept / 32) passes over the committee's entries rather than a pairwise comparison.
 */
function committeeConflicts(
  aggregates: readonly ArrayLike<number>[],
  aggPosition: Int32Array,
  first: number,
  kept: number,
  words: number,
): Uint32Array {
  const owner = ownerMask;
  const bits = new Uint32Array(kept * words);
  for (let w = 0; w < words; w++) {
    const lo = w * 32;
    const hi = Math.min(kept, lo + 32);
    for (let r = lo; r < hi; r++) {
      const agg = aggregates[aggPosition[first + r] as number] as ArrayLike<number>;
      const bit = 1 << (r - lo);
      for (let k = 0; k < agg.length; k++) {
        const item = agg[k] as number;
        owner[item] = (owner[item] as number) | bit;
      }
    }
    for (let s = 0; s < kept; s++) {
      const agg = aggregates[aggPosition[first + s] as number] as ArrayLike<number>;
      let m = 0;
      for (let k = 0; k < agg.length; k++) m |= owner[agg[k] as number] as number;
      bits[s * words + w] = m;
    }
    for (let r = lo; r < hi; r++) {
      const agg = aggregates[aggPosition[first + r] as number] as ArrayLike<number>;
      for (let k = 0; k < agg.length; k++) owner[agg[k] as number] = 0;
    }
  }
  // An aggregate does not conflict with itself.
  for (let r = 0; r < kept; r++) {
    const i = r * words + (r >>> 5);
    bits[i] = (bits[i] as number) & ~(1 << (r & 31));
  }
  return bits;
}

function findComponents(
  electra: boolean,
  groupCount: number,
  committeeCount: number,
  committeeGroup: Int32Array,
  aggCount: number,
  aggCommittee: Int32Array,
  itemStart: Int32Array,
  items: Int32Array,
  itemCount: number,
): { components: PackingComponent[]; committeeCluster: Int32Array; clusterSize: Int32Array } {
  const owner = new Int32Array(itemCount).fill(-1);
  const committeeCluster = new Int32Array(committeeCount);
  const clusterSize = new Int32Array(committeeCount);
  let unitOfAgg: (a: number) => number;
  let unitCount: number;
  if (electra) {
    // Committees sharing an item form a cluster; groups sharing a cluster form a component.
    const committees = new UnionFind(committeeCount);
    for (let a = 0; a < aggCount; a++) {
      const c = aggCommittee[a] as number;
      for (let e = itemStart[a] as number; e < (itemStart[a + 1] as number); e++) {
        const it = items[e] as number;
        const o = owner[it] as number;
        if (o < 0) owner[it] = c;
        else if (o !== c) committees.union(o, c);
      }
    }
    const groupsUf = new UnionFind(groupCount);
    for (let c = 0; c < committeeCount; c++) {
      const root = committees.find(c);
      committeeCluster[c] = root;
      clusterSize[root] = (clusterSize[root] as number) + 1;
      groupsUf.union(committeeGroup[c] as number, committeeGroup[root] as number);
    }
    unitCount = groupCount;
    unitOfAgg = (a) => groupsUf.find(committeeGroup[aggCommittee[a] as number] as number);
  } else {
    const aggsUf = new UnionFind(aggCount);
    for (let a = 0; a < aggCount; a++) {
      for (let e = itemStart[a] as number; e < (itemStart[a + 1] as number); e++) {
        const it = items[e] as number;
        const o = owner[it] as number;
        if (o < 0) owner[it] = a;
        else aggsUf.union(o, a);
      }
    }
    unitCount = aggCount;
    unitOfAgg = (a) => aggsUf.find(a);
  }
  // Bucket aggregates by component root, in id order.
  const rootIndex = new Int32Array(unitCount).fill(-1);
  const buckets: number[][] = [];
  for (let a = 0; a < aggCount; a++) {
    const r = unitOfAgg(a);
    let b = rootIndex[r] as number;
    if (b < 0) {
      b = buckets.length;
      rootIndex[r] = b;
      buckets.push([]);
    }
    (buckets[b] as number[]).push(a);
  }
  const components = buckets.map((aggs): PackingComponent => {
    const units: number[] = [];
    let last = -1;
    for (const a of aggs) {
      const u = electra ? (committeeGroup[aggCommittee[a] as number] as number) : a;
      if (u !== last) {
        units.push(u);
        last = u;
      }
    }
    return { units: Int32Array.from(units), aggs: Int32Array.from(aggs) };
  });
  return { components, committeeCluster, clusterSize };
}
