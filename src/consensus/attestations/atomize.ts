/**
 * Items that lie in exactly the same aggregates are interchangeable for coverage: merged into one weighted atom,
 * they shrink a committee's few hundred validators to the handful of classes that the aggregators' views actually
 * distinguish. Partition refinement, one pass per aggregate: class 0 holds the items not met yet, and each
 * aggregate moves the items of every class it meets into a new child class of that class. O(entries).
 */
import type { PreparedPacking } from "./preparePacking.js";

export interface Atoms {
  atomWeight: Float64Array;
  /** Local aggregate j (the j-th of `aggs`) holds atoms `atoms[atomStart[j]]` to `atoms[atomStart[j + 1] - 1]`. */
  atomStart: Int32Array;
  atoms: Int32Array;
}

/** Scratch indexed by dense item id, shared by successive calls of one solve (left zeroed after each). */
export interface AtomScratch {
  atomOfItem: Int32Array;
}

export function createAtomScratch(prepared: PreparedPacking): AtomScratch {
  return { atomOfItem: new Int32Array(prepared.itemCount) };
}

export function atomize(prepared: PreparedPacking, aggs: Int32Array, scratch: AtomScratch): Atoms {
  const { itemStart, items, itemWeight } = prepared;
  const atomOfItem = scratch.atomOfItem;
  const m = aggs.length;
  let entries = 0;
  for (let j = 0; j < m; j++) {
    const a = aggs[j] as number;
    entries += (itemStart[a + 1] as number) - (itemStart[a] as number);
  }
  const child = new Int32Array(entries + 1);
  const childStamp = new Int32Array(entries + 1);
  let classes = 1;
  for (let j = 0; j < m; j++) {
    const a = aggs[j] as number;
    for (let e = itemStart[a] as number; e < (itemStart[a + 1] as number); e++) {
      const it = items[e] as number;
      const c = atomOfItem[it] as number;
      if (childStamp[c] !== j + 1) {
        childStamp[c] = j + 1;
        child[c] = classes++;
      }
      atomOfItem[it] = child[c] as number;
    }
  }
  // Number the classes that hold items, list each aggregate's atoms once.
  const atomIndex = new Int32Array(classes).fill(-1);
  let atomCount = 0;
  const atomStart = new Int32Array(m + 1);
  const atomList = new Int32Array(entries);
  let listed = 0;
  const listStamp = new Int32Array(classes);
  for (let j = 0; j < m; j++) {
    const a = aggs[j] as number;
    atomStart[j] = listed;
    for (let e = itemStart[a] as number; e < (itemStart[a + 1] as number); e++) {
      const c = atomOfItem[items[e] as number] as number;
      let id = atomIndex[c] as number;
      if (id < 0) {
        id = atomCount++;
        atomIndex[c] = id;
      }
      if (listStamp[c] !== j + 1) {
        listStamp[c] = j + 1;
        atomList[listed++] = id;
      }
    }
  }
  atomStart[m] = listed;
  // Weights: each item once (its scratch entry is cleared the first time it is met).
  const atomWeight = new Float64Array(atomCount);
  for (let j = 0; j < m; j++) {
    const a = aggs[j] as number;
    for (let e = itemStart[a] as number; e < (itemStart[a + 1] as number); e++) {
      const it = items[e] as number;
      const c = atomOfItem[it] as number;
      if (c !== 0) {
        const id = atomIndex[c] as number;
        atomWeight[id] = (atomWeight[id] as number) + (itemWeight[it] as number);
        atomOfItem[it] = 0;
      }
    }
  }
  return { atomWeight, atomStart, atoms: atomList.subarray(0, listed) };
}
