/**
 * Exact packing as an integer program solved by HiGHS (`highs`, compiled to WebAssembly), the alternative to the
 * branch and bound of `packExact`; the benchmark runs both.
 *
 * Columns: x_a ∈ {0,1} per kept aggregate, y_g ∈ {0,1} per group (electra), z_t ∈ [0,1] per atom (items that lie
 * in the same aggregates, merged, `atomize`). Maximise Σ w_t z_t subject to
 *   z_t ≤ Σ_{a ∋ t} x_a                 (an atom counts only if a chosen aggregate covers it)
 *   phase0: Σ x_a ≤ limit;   electra: x_a ≤ y_g(a), Σ y_g ≤ limit,
 *   electra: Σ_{a ∈ Q} x_a ≤ 1 for each clique Q of a cover of each committee's conflict graph.
 * Greedy's selection is handed to HiGHS as the starting solution, `time_limit` is what is left of the deadline,
 * and the gaps are set so that HiGHS stops only with a proof (`mip_rel_gap` 0, `mip_abs_gap` below one unit of
 * weight: weights are integers). The selection HiGHS returns is re-evaluated exactly; the better of it and greedy
 * is returned.
 */
import highsModule, { type Highs } from "highs";
import { type AtomScratch, atomize, createAtomScratch } from "./atomize.js";
import { buildSelection } from "./buildSelection.js";
import { AttestationError } from "./errors.js";
import { evaluateSelection } from "./evaluateSelection.js";
import type { ExactOutcome } from "./packExact.js";
import { greedyPrepared } from "./packGreedy.js";
import type { PackingInstance, PackingResult } from "./packingInstance.js";
import { type PreparedPacking, preparePacking } from "./preparePacking.js";

type HighsLoader = () => Promise<Highs>;
// `highs` is a CommonJS package whose typings declare an ES default export: under NodeNext the compiler sees the
// loader at `.default`, while Node's ESM entry (`build/highs.mjs`) exports the function itself. Accept both.
const loadHighs: HighsLoader =
  typeof highsModule === "function"
    ? (highsModule as unknown as HighsLoader)
    : (highsModule as unknown as { default: HighsLoader }).default;

let highsLoading: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly module once per process (about 0.2 s). */
export function loadHighsSolver(): Promise<Highs> {
  if (highsLoading === undefined) highsLoading = loadHighs();
  return highsLoading;
}

/** Cliques covering every conflict edge of one committee (greedy edge clique cover). */
function conflictCliques(p: PreparedPacking, c: number): number[][] {
  const first = p.committeeAggStart[c] as number;
  const n = (p.committeeAggStart[c + 1] as number) - first;
  const words = p.conflictWords[c] as number;
  if (n < 2 || words === 0) return [];
  const off = p.conflictOffset[c] as number;
  const conflict = (r: number, s: number) =>
    (((p.conflictBits[off + r * words + (s >>> 5)] as number) >>> (s & 31)) & 1) === 1;
  const coveredEdge = new Uint8Array(n * n);
  const cliques: number[][] = [];
  for (let r = 0; r < n; r++) {
    for (let s = r + 1; s < n; s++) {
      if (!conflict(r, s) || coveredEdge[r * n + s] === 1) continue;
      const clique = [r, s];
      for (let t = 0; t < n; t++) {
        if (t !== r && t !== s && clique.every((q) => conflict(q, t))) clique.push(t);
      }
      for (const a of clique) for (const b of clique) coveredEdge[a * n + b] = 1;
      cliques.push(clique.map((x) => first + x));
    }
  }
  return cliques;
}

export function ilpPrepared(highs: Highs, p: PreparedPacking, deadline: number, scratch?: AtomScratch): ExactOutcome {
  const greedy = greedyPrepared(p, deadline);
  if (greedy.upperBound <= greedy.value || p.aggCount === 0) {
    return {
      chosen: greedy.chosen,
      value: greedy.value,
      upperBound: Math.max(greedy.value, greedy.upperBound),
      unfinished: 0,
    };
  }
  const electra = p.mode === "electra";
  const gaveUp = (): ExactOutcome => ({
    chosen: greedy.chosen,
    value: greedy.value,
    upperBound: Math.max(greedy.value, greedy.upperBound),
    unfinished: 1,
  });
  if (performance.now() >= deadline) return gaveUp();
  const all = new Int32Array(p.aggCount);
  for (let a = 0; a < p.aggCount; a++) all[a] = a;
  const { atomWeight, atomStart, atoms } = atomize(p, all, scratch ?? createAtomScratch(p));
  const nAtoms = atomWeight.length;
  const groupCol = new Int32Array(p.instance.groups.length).fill(-1);
  let nGroups = 0;
  if (electra) {
    for (let a = 0; a < p.aggCount; a++) {
      const g = p.committeeGroup[p.aggCommittee[a] as number] as number;
      if (groupCol[g] === -1) groupCol[g] = p.aggCount + nGroups++;
    }
  }
  const atomCol0 = p.aggCount + nGroups;
  const numCols = atomCol0 + nAtoms;

  // Rows, as CSR.
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const addRow = (cols: readonly number[], coefs: readonly number[], upper: number) => {
    for (let i = 0; i < cols.length; i++) {
      indices.push(cols[i] as number);
      values.push(coefs[i] as number);
    }
    starts.push(indices.length);
    rowLower.push(-highs.infinity);
    rowUpper.push(upper);
  };
  // z_t - Σ x_a ≤ 0: invert the atom lists by counting.
  const holders = new Int32Array(nAtoms + 1);
  for (let e = 0; e < atoms.length; e++)
    holders[(atoms[e] as number) + 1] = (holders[(atoms[e] as number) + 1] as number) + 1;
  for (let t = 0; t < nAtoms; t++) holders[t + 1] = (holders[t + 1] as number) + (holders[t] as number);
  const fill = holders.slice(0, nAtoms);
  const holderList = new Int32Array(atoms.length);
  for (let a = 0; a < p.aggCount; a++) {
    for (let e = atomStart[a] as number; e < (atomStart[a + 1] as number); e++) {
      const t = atoms[e] as number;
      holderList[fill[t] as number] = a;
      fill[t] = (fill[t] as number) + 1;
    }
  }
  for (let t = 0; t < nAtoms; t++) {
    const cols = [atomCol0 + t];
    const coefs = [1];
    for (let k = holders[t] as number; k < (holders[t + 1] as number); k++) {
      cols.push(holderList[k] as number);
      coefs.push(-1);
    }
    addRow(cols, coefs, 0);
  }
  if (electra) {
    for (let a = 0; a < p.aggCount; a++) {
      addRow([a, groupCol[p.committeeGroup[p.aggCommittee[a] as number] as number] as number], [1, -1], 0);
    }
    const ys = Array.from({ length: nGroups }, (_, i) => p.aggCount + i);
    addRow(
      ys,
      ys.map(() => 1),
      p.limit,
    );
    for (let c = 0; c < p.committeeCount; c++) {
      for (const clique of conflictCliques(p, c))
        addRow(
          clique,
          clique.map(() => 1),
          1,
        );
    }
  } else {
    const xs = Array.from({ length: p.aggCount }, (_, a) => a);
    addRow(
      xs,
      xs.map(() => 1),
      p.limit,
    );
  }

  // Building the model can itself use up the deadline on large instances: then greedy stands.
  if (performance.now() >= deadline) return gaveUp();
  const colCost = new Float64Array(numCols);
  colCost.set(atomWeight, atomCol0);
  const integrality = new Int32Array(numCols);
  integrality.fill(highs.constants.variableType.integer, 0, atomCol0);
  const model = highs.createModel({
    numCols,
    numRows: rowUpper.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost,
    colLower: new Float64Array(numCols),
    colUpper: new Float64Array(numCols).fill(1),
    rowLower,
    rowUpper,
    matrix: { format: "csr", numRows: rowUpper.length, numCols, starts, indices, values },
    integrality,
  });
  try {
    const seconds = (deadline - performance.now()) / 1000;
    if (seconds <= 0) return gaveUp();
    model.options.set({
      output_flag: false,
      mip_rel_gap: 0,
      mip_abs_gap: 0.5,
      ...(Number.isFinite(seconds) ? { time_limit: seconds } : {}),
    });
    // Greedy as the starting solution.
    const start = new Float64Array(numCols);
    for (const a of greedy.chosen) {
      start[a] = 1;
      if (electra) start[groupCol[p.committeeGroup[p.aggCommittee[a] as number] as number] as number] = 1;
      for (let e = atomStart[a] as number; e < (atomStart[a + 1] as number); e++)
        start[atomCol0 + (atoms[e] as number)] = 1;
    }
    model.setSolution({ colValue: start });
    model.run();
    const status = model.getModelStatus();
    const { colValue } = model.getSolution();
    const chosen: number[] = [];
    for (let a = 0; a < p.aggCount; a++) if ((colValue[a] as number) > 0.5) chosen.push(a);
    let value: number;
    try {
      value = evaluateSelection(p.instance, buildSelection(p, chosen));
    } catch (cause) {
      throw new AttestationError("ILP_FAILED", "HiGHS returned a selection that breaks the packing rules", { cause });
    }
    const dualBound = Number(model.info.get("mip_dual_bound"));
    const proved = status === highs.constants.modelStatus.optimal;
    let upperBound = Math.min(
      greedy.upperBound,
      Number.isFinite(dualBound) ? Math.floor(dualBound + 1e-6 * Math.abs(dualBound)) : Infinity,
    );
    if (proved) upperBound = Math.min(upperBound, Math.max(value, greedy.value));
    if (value <= greedy.value) {
      return {
        chosen: greedy.chosen,
        value: greedy.value,
        upperBound: Math.max(upperBound, greedy.value),
        unfinished: proved ? 0 : 1,
      };
    }
    return { chosen, value, upperBound: Math.max(upperBound, value), unfinished: proved ? 0 : 1 };
  } finally {
    model.dispose();
  }
}

/** `weft pack --algorithm ilp`: loads HiGHS (not timed), then packs. */
export async function packIlp(
  instance: PackingInstance,
  options: { deadlineMs?: number } = {},
): Promise<PackingResult> {
  const highs = await loadHighsSolver();
  const start = performance.now();
  const deadline = options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : start + options.deadlineMs;
  const prepared = preparePacking(instance);
  const out = ilpPrepared(highs, prepared, deadline);
  const { selection } = buildSelection(prepared, out.chosen);
  return {
    value: out.value,
    optimal: out.upperBound <= out.value,
    ms: performance.now() - start,
    algorithm: "ilp",
    selection,
    upperBound: Math.max(out.upperBound, out.value),
  };
}
