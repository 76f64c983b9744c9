/** Turns chosen aggregates (prepared ids) into the `weft pack` selection: positions in the instance's lists. */
import type { ElectraSelection, PackingSelection, Phase0Selection } from "./packingInstance.js";
import type { PreparedPacking } from "./preparePacking.js";

export function buildSelection(prepared: PreparedPacking, chosen: Iterable<number>): PackingSelection {
  const { instance, aggCommittee, committeeGroup, committeePos, aggPosition } = prepared;
  const sorted = [...chosen].sort((a, b) => a - b);
  if (prepared.mode === "phase0") {
    const selection: Phase0Selection[] = sorted.map((a) => {
      const c = aggCommittee[a] as number;
      const g = instance.groups[committeeGroup[c] as number];
      return {
        group: g?.key ?? "",
        committee: g?.committees[committeePos[c] as number]?.index ?? -1,
        aggregate: aggPosition[a] as number,
      };
    });
    return { mode: "phase0", selection };
  }
  const byGroup = new Map<number, ElectraSelection>();
  let lastCommittee = -1;
  for (const a of sorted) {
    const c = aggCommittee[a] as number;
    const gi = committeeGroup[c] as number;
    const g = instance.groups[gi];
    let sel = byGroup.get(gi);
    if (sel === undefined) {
      sel = { group: g?.key ?? "", committees: [] };
      byGroup.set(gi, sel);
    }
    if (c !== lastCommittee) {
      sel.committees.push({ index: g?.committees[committeePos[c] as number]?.index ?? -1, aggregates: [] });
      lastCommittee = c;
    }
    sel.committees[sel.committees.length - 1]?.aggregates.push(aggPosition[a] as number);
  }
  return { mode: "electra", selection: [...byGroup.values()] };
}
