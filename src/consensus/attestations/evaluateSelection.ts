/**
 * The value of a selection on a packing instance, checking every rule on the way: it is what tests, the CLI and
 * the ILP path use to trust a selection, independently of the algorithm that produced it.
 */
import { AttestationError } from "./errors.js";
import type { ElectraSelection, PackingInstance, PackingSelection, Phase0Selection } from "./packingInstance.js";

function invalid(message: string, path: string): never {
  throw new AttestationError("SELECTION_INVALID", message, { path });
}

/**
 * The total weight of the items the selection covers, `covered` excluded. Throws `SELECTION_INVALID` when the
 * selection names an unknown group, committee or position, repeats one, exceeds `limit`, or (electra) merges
 * overlapping aggregates of a committee.
 */
export function evaluateSelection(instance: PackingInstance, packed: PackingSelection): number {
  if (packed.mode !== instance.mode) invalid(`a ${packed.mode} selection for a ${instance.mode} instance`, "$");
  const n = instance.weights.length;
  const counted = new Uint8Array(n);
  for (let i = 0; i < instance.covered.length; i++) counted[instance.covered[i] as number] = 1;
  const groupByKey = new Map(instance.groups.map((g, i) => [g.key, i]));
  let value = 0;
  const count = (agg: ArrayLike<number>): void => {
    for (let k = 0; k < agg.length; k++) {
      const item = agg[k] as number;
      if (counted[item] === 0) {
        counted[item] = 1;
        value += instance.weights[item] as number;
      }
    }
  };
  const committeeOf = (gi: number, index: number, path: string) => {
    const c = instance.groups[gi]?.committees.find((x) => x.index === index);
    if (c === undefined) invalid(`no committee ${index} in group ${instance.groups[gi]?.key}`, path);
    return c;
  };
  const aggregateOf = (aggs: readonly ArrayLike<number>[], pos: number, path: string) => {
    const a = Number.isInteger(pos) ? aggs[pos] : undefined;
    if (a === undefined) invalid(`no aggregate at position ${pos}`, path);
    return a;
  };

  if (packed.mode === "phase0") {
    const sel: readonly Phase0Selection[] = packed.selection;
    if (sel.length > instance.limit) invalid(`${sel.length} attestations chosen, limit ${instance.limit}`, "$");
    const seen = new Set<string>();
    sel.forEach((s, i) => {
      const gi = groupByKey.get(s.group);
      if (gi === undefined) invalid(`unknown group ${s.group}`, `[${i}].group`);
      const id = `${gi}/${s.committee}/${s.aggregate}`;
      if (seen.has(id)) invalid(`attestation ${id} chosen twice`, `[${i}]`);
      seen.add(id);
      count(aggregateOf(committeeOf(gi, s.committee, `[${i}].committee`).aggregates, s.aggregate, `[${i}].aggregate`));
    });
    return value;
  }

  const sel: readonly ElectraSelection[] = packed.selection;
  if (sel.length > instance.limit) invalid(`${sel.length} on-chain aggregates chosen, limit ${instance.limit}`, "$");
  const groupsSeen = new Set<number>();
  const mark = new Int32Array(n);
  let committeeStamp = 0;
  sel.forEach((s, i) => {
    const gi = groupByKey.get(s.group);
    if (gi === undefined) invalid(`unknown group ${s.group}`, `[${i}].group`);
    if (groupsSeen.has(gi)) invalid(`group ${s.group} chosen twice`, `[${i}].group`);
    groupsSeen.add(gi);
    const committeesSeen = new Set<number>();
    s.committees.forEach((sc, j) => {
      const path = `[${i}].committees[${j}]`;
      if (committeesSeen.has(sc.index)) invalid(`committee ${sc.index} listed twice`, path);
      committeesSeen.add(sc.index);
      const c = committeeOf(gi, sc.index, `${path}.index`);
      const positions = new Set<number>();
      const stampBase = ++committeeStamp;
      for (const pos of sc.aggregates) {
        if (positions.has(pos)) invalid(`aggregate ${pos} listed twice`, `${path}.aggregates`);
        positions.add(pos);
        const agg = aggregateOf(c.aggregates, pos, `${path}.aggregates`);
        // Pairwise disjoint over all their validators, covered or not: overlapping bits cannot merge.
        for (let k = 0; k < agg.length; k++) {
          const item = agg[k] as number;
          if (mark[item] === stampBase) invalid(`aggregates of committee ${sc.index} overlap on item ${item}`, path);
          mark[item] = stampBase;
        }
        count(agg);
      }
    });
  });
  return value;
}
