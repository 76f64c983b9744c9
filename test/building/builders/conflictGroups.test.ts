import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ConflictFinder, conflictGroups } from "../../../src/building/builders/conflictGroups.js";
import { renumberKeysIfFull } from "../../../src/building/builders/stateKeys.js";
import type { SimulatedOrder } from "../../../src/building/simulation/simulatedOrder.js";
import {
  ACCOUNT_BALANCE,
  ACCOUNT_NONCE,
  ACCOUNT_STORAGE,
  type AccessSet,
  addAccount,
  addSlot,
  emptyAccessSet,
} from "../../../src/execution/state/access.js";

/** An access: an account field of one of a few addresses, or one of a few slots. */
type Access = { kind: "field"; address: number; bit: number } | { kind: "slot"; address: number; slot: number };

const access: fc.Arbitrary<Access> = fc.oneof(
  fc.record({
    kind: fc.constant("field" as const),
    address: fc.nat(3),
    bit: fc.constantFrom(ACCOUNT_BALANCE, ACCOUNT_NONCE, ACCOUNT_STORAGE),
  }),
  fc.record({ kind: fc.constant("slot" as const), address: fc.nat(3), slot: fc.nat(3) }),
);

interface Spec {
  sender: number;
  reads: readonly Access[];
  writes: readonly Access[];
}

const spec: fc.Arbitrary<Spec> = fc.record({
  sender: fc.nat(5),
  reads: fc.array(access, { maxLength: 4 }),
  writes: fc.array(access, { maxLength: 3 }),
});

const addressOf = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const slotOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const keyOf = (a: Access) =>
  a.kind === "field" ? `${addressOf(a.address)}#${a.bit}` : `${addressOf(a.address)}:${slotOf(a.slot)}`;

function setOf(accesses: readonly Access[]): AccessSet {
  const set = emptyAccessSet();
  for (const a of accesses) {
    if (a.kind === "field") addAccount(set, addressOf(a.address), a.bit);
    else addSlot(set, addressOf(a.address), slotOf(a.slot));
  }
  return set;
}

function order(i: number, s: Spec): SimulatedOrder {
  return {
    order: { id: `o${i}`, txs: [{ sender: addressOf(100 + s.sender) }] },
    execution: { reads: setOf(s.reads), writes: setOf(s.writes) },
  } as unknown as SimulatedOrder;
}

/**
 * The grouping rule written out as a graph, pair by pair: orders of one sender are linked; two writers of one key
 * are linked, except for the "has storage" flag; a reader of a key is linked to the key's first writer.
 */
function reference(specs: ReadonlyArray<Spec>): string[][] {
  const n = specs.length;
  const edges: number[][] = specs.map(() => []);
  const link = (a: number, b: number) => {
    (edges[a] as number[]).push(b);
    (edges[b] as number[]).push(a);
  };
  const writes = specs.map((s) => new Set(s.writes.map(keyOf)));
  const reads = specs.map((s) => new Set(s.reads.map(keyOf)));
  const flag = `#${ACCOUNT_STORAGE}`;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (specs[i]?.sender === specs[j]?.sender) link(i, j);
      for (const k of writes[i] as Set<string>) if (!k.endsWith(flag) && (writes[j] as Set<string>).has(k)) link(i, j);
    }
  }
  for (let r = 0; r < n; r++) {
    for (const k of reads[r] as Set<string>) {
      const first = writes.findIndex((w) => w.has(k));
      if (first >= 0) link(r, first);
    }
  }
  const seen = new Array<boolean>(n).fill(false);
  const groups: string[][] = [];
  for (let i = 0; i < n; i++) {
    if (seen[i]) continue;
    const group: number[] = [];
    const stack = [i];
    seen[i] = true;
    while (stack.length > 0) {
      const x = stack.pop() as number;
      group.push(x);
      for (const y of edges[x] as number[]) {
        if (!seen[y]) {
          seen[y] = true;
          stack.push(y);
        }
      }
    }
    groups.push(group.sort((a, b) => a - b).map((x) => `o${x}`));
  }
  return normalize(groups);
}

const normalize = (groups: string[][]) =>
  groups.map((g) => [...g].sort()).sort((a, b) => (a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0));

describe("conflictGroups", () => {
  test("property: the groups are the connected orders of the rule written out pair by pair", () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 14 }), (specs) => {
        const orders = specs.map((s, i) => order(i, s));
        const groups = conflictGroups(orders).map((g) => g.map((o) => o.order.id));
        expect(normalize(groups)).toEqual(reference(specs));
        // Grouping the same simulations again (keys cached per access set) gives the same groups.
        expect(normalize(conflictGroups(orders).map((g) => g.map((o) => o.order.id)))).toEqual(reference(specs));
      }),
      { numRuns: 300 },
    );
  });

  test("readers of one key stay apart; a writer joins them; writers of different slots of one contract stay apart", () => {
    const slot = (address: number, s: number): Access => ({ kind: "slot", address, slot: s });
    const specs: Spec[] = [
      { sender: 0, reads: [slot(1, 1)], writes: [slot(1, 2), { kind: "field", address: 1, bit: ACCOUNT_STORAGE }] },
      { sender: 1, reads: [slot(1, 1)], writes: [slot(1, 3), { kind: "field", address: 1, bit: ACCOUNT_STORAGE }] },
      { sender: 2, reads: [slot(2, 0)], writes: [] },
      { sender: 3, reads: [slot(2, 0)], writes: [] },
    ];
    const groups = (s: readonly Spec[]) =>
      normalize(conflictGroups(s.map((x, i) => order(i, x))).map((g) => g.map((o) => o.order.id)));
    expect(groups(specs)).toEqual([["o0"], ["o1"], ["o2"], ["o3"]]);
    const withWriter: Spec[] = [...specs, { sender: 4, reads: [], writes: [slot(1, 1)] }];
    expect(groups(withWriter)).toEqual([["o0", "o1", "o4"], ["o2"], ["o3"]]);
  });

  test("property: a finder fed the orders as they arrive (and anything else) groups as grouping from scratch does", () => {
    const ids = (groups: SimulatedOrder[][]) => groups.map((g) => g.map((o) => o.order.id));
    fc.assert(
      fc.property(
        fc.array(spec, { maxLength: 16 }),
        fc.array(fc.nat(16), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (specs, cuts, removals) => {
          const orders = specs.map((s, i) => order(i, s));
          const finder = new ConflictFinder();
          // Builds of one block: the orders so far, each build with fresh `SimulatedOrder`s of the same simulations
          // (as the pool makes them); the groups in the same order as from scratch, members in input order.
          for (const cut of [...cuts.sort((a, b) => a - b), orders.length]) {
            const arrived = orders.slice(0, Math.min(cut, orders.length)).map((o) => ({ ...o }));
            const groups = ids(finder.update(arrived));
            expect(groups).toEqual(ids(conflictGroups(arrived)));
            expect(normalize(groups)).toEqual(reference(specs.slice(0, arrived.length)));
          }
          // The state keys renumbered between builds: the finder starts again from scratch.
          renumberKeysIfFull(0);
          expect(ids(finder.update(orders))).toEqual(ids(conflictGroups(orders)));
          // An order gone (cancelled, replaced): not a continuation, grouped again from scratch.
          let rest = [...orders];
          for (const r of removals) {
            if (rest.length === 0) break;
            rest = rest.filter((_, i) => i !== r % rest.length);
            expect(ids(finder.update(rest))).toEqual(ids(conflictGroups(rest)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
