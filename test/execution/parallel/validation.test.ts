import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import {
  COLD_AFTER,
  HOT_AFTER,
  HotTargets,
  LastWriters,
  SelfConflicts,
} from "../../../src/execution/parallel/validation.js";
import { ACCOUNT_BALANCE, ACCOUNT_NONCE, type AccessSet } from "../../../src/execution/state/access.js";

const A = "0x00000000000000000000000000000000000000aa";
const SLOT = "0x01";

function reads(accounts: Array<[string, number]>, slots: Array<[string, string]> = []): AccessSet {
  const storage = new Map<string, Set<string>>();
  for (const [address, slot] of slots) storage.set(address, new Set([...(storage.get(address) ?? []), slot]));
  return { accounts: new Map(accounts), storage };
}

describe("LastWriters", () => {
  test("a result is invalid only if something it read was written at or after the version it saw", () => {
    const written = new LastWriters(10, () => undefined);
    written.add(reads([[A, ACCOUNT_BALANCE]], [[A, SLOT]]), 3);
    expect(written.conflict(reads([[A, ACCOUNT_BALANCE]]), 3)).toBe(A);
    expect(written.conflict(reads([[A, ACCOUNT_BALANCE]]), 4)).toBeUndefined();
    expect(written.conflict(reads([[A, ACCOUNT_NONCE]]), 0)).toBeUndefined();
    expect(written.conflict(reads([], [[A, SLOT]]), 2)).toBe(`${A}|${SLOT}`);
  });

  test("a watched result is doomed by the first commit before its turn that writes what it read", () => {
    const doomed: number[] = [];
    const written = new LastWriters(10, (i) => doomed.push(i));
    written.watch(7, reads([], [[A, SLOT]]), 2); // saw [0, 2)
    written.watch(8, reads([], [[A, SLOT]]), 5); // saw [0, 5)
    written.watch(9, reads([[A, ACCOUNT_NONCE]]), 2);
    written.add(reads([[A, ACCOUNT_BALANCE]]), 2); // another field: nobody doomed
    expect(doomed).toEqual([]);
    written.add(reads([], [[A, SLOT]]), 3); // 7 saw only [0, 2): doomed; 8 saw it
    expect(doomed).toEqual([7]);
    expect(written.isDoomed(7) && !written.isDoomed(8)).toBe(true);
    written.add(reads([], [[A, SLOT]]), 6); // now 8 too, and 7 is not reported twice
    expect(doomed).toEqual([7, 8]);
    // Arriving after the write that invalidates it: doomed at once.
    written.watch(5, reads([[A, ACCOUNT_BALANCE]]), 1);
    expect(doomed).toEqual([7, 8, 5]);
    // A reader whose turn has passed is not doomed by a later write.
    written.watch(4, reads([[A, ACCOUNT_NONCE]]), 4);
    written.add(reads([[A, ACCOUNT_NONCE]]), 4);
    expect(written.isDoomed(4)).toBe(false);
  });
});

describe("HotTargets", () => {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const hotContract = new Address(new Uint8Array(20).fill(0xaa));
  const other = new Address(new Uint8Array(20).fill(0xbb));
  const call = (to: Address): TypedTransaction =>
    createLegacyTx({ to, gasLimit: 100_000, data: Uint8Array.of(1) }, { common });

  test("after repeated invalid speculation on a contract, its unclaimed calls are held back; nothing else is", () => {
    const txs = [call(hotContract), call(other), ...Array.from({ length: 8 }, () => call(hotContract))];
    const flags = new Int32Array(1 + 2 * txs.length);
    flags[1 + 5] = 2; // claimed by a worker
    flags[1 + 0] = 1; // claimed by the committing thread
    const hot = new HotTargets(txs, flags);
    for (let k = 0; k < HOT_AFTER - 1; k++) hot.record(9 - k, false);
    expect(hot.heldBack).toBe(0);
    hot.record(9 - HOT_AFTER + 1, false);
    const held = [...flags.subarray(1, 1 + txs.length)].flatMap((f, i) => (f === 3 ? [i] : []));
    expect(held).toEqual([2, 3, 4, 6, 7, 8, 9]);
    expect(hot.heldBack).toBe(held.length);
    expect(flags[1 + 1]).toBe(0); // the other contract's call
    expect(flags[1 + 5]).toBe(2);
  });

  test("a contract whose speculation mostly holds is not held back", () => {
    const txs = Array.from({ length: 10 }, () => call(hotContract));
    const flags = new Int32Array(1 + 2 * txs.length);
    const hot = new HotTargets(txs, flags);
    for (let k = 0; k < HOT_AFTER; k++) hot.record(k, true);
    for (let k = 0; k < HOT_AFTER; k++) hot.record(5 + k, false);
    expect(hot.heldBack).toBe(0);
    hot.record(9, false); // now more invalid than valid
    expect(hot.heldBack).toBeGreaterThan(0);
  });

  test("when speculation keeps failing across contracts, every call not yet claimed is held back", () => {
    // Each invalid result on a contract of its own (none reaches HOT_AFTER), ten contracts, two calls each.
    const targets = Array.from({ length: 10 }, (_, k) => new Address(new Uint8Array(20).fill(0x10 + k)));
    const txs = [...targets, ...targets].map((to) => call(to));
    const flags = new Int32Array(1 + 2 * txs.length);
    const hot = new HotTargets(txs, flags);
    hot.arrived(19);
    hot.record(19, true);
    for (let k = 0; k < COLD_AFTER - 1; k++) hot.record(18 - k, false);
    expect(hot.heldBack).toBe(0);
    hot.record(18 - (COLD_AFTER - 1), false);
    // All unclaimed calls (every one here; the recorded ones were never claimed in this test) are held back.
    expect(hot.heldBack).toBe(txs.length);
  });

  test("results count valid when they arrive, and invalid if a commit dooms them before their turn", () => {
    const txs = Array.from({ length: 12 }, () => call(hotContract));
    const flags = new Int32Array(1 + 2 * txs.length);
    for (let k = 6; k < 12; k++) flags[1 + k] = 2; // claimed by a worker
    const hot = new HotTargets(txs, flags);
    // Six results arrive from the back; three are doomed by commits before the committing thread reaches them.
    for (let k = 6; k < 12; k++) hot.arrived(k);
    for (const k of [11, 10, 9]) hot.record(k, false);
    expect(hot.heldBack).toBe(0); // 3 invalid, 3 still valid
    // A valid commit of an arrived result is not counted twice.
    hot.record(6, true);
    hot.arrived(6);
    hot.record(8, false);
    expect(hot.heldBack).toBe(6); // 4 invalid against 2 valid: the unclaimed calls 0–5 are held back
    expect([...flags.subarray(1, 7)]).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

describe("SelfConflicts (a worker's own early warning)", () => {
  const B = "0x00000000000000000000000000000000000000bb";
  const none = reads([]);

  test("a speculation that writes what a later one read dooms it; other fields and slots do not", () => {
    const flags = new Int32Array(1 + 2 * 10);
    const self = new SelfConflicts(
      Int32Array.from({ length: 10 }, (_, i) => i),
      flags,
    );
    self.add(9, reads([[A, ACCOUNT_NONCE]], [[A, SLOT]]), none, false);
    self.add(8, reads([[B, ACCOUNT_BALANCE]]), none, false);
    self.add(7, none, reads([[A, ACCOUNT_BALANCE]], [[A, "0x02"]]), false); // other field, other slot
    expect(self.isDoomed(9)).toBe(false);
    self.add(6, none, reads([], [[A, SLOT]]), false);
    expect(self.isDoomed(9)).toBe(true);
    expect(self.isDoomed(8)).toBe(false);
    self.add(5, none, reads([[B, ACCOUNT_BALANCE]]), false);
    expect(self.isDoomed(8)).toBe(true);
    // A failed speculation is doomed itself.
    self.add(4, none, none, true);
    expect(self.isDoomed(4)).toBe(true);
    expect(self.heldBack).toBe(0); // one per contract: none is hot, and 3 doomed of 6 is not most of the block
  });

  test("calls to one contract that keep conflicting with each other: the rest of its unclaimed calls are held back", () => {
    // Transactions 0–11: the even ones call contract 0 (a counter every call bumps), the odd ones contract 1.
    const n = 12;
    const targets = Int32Array.from({ length: n }, (_, i) => i % 2);
    const flags = new Int32Array(1 + 2 * n);
    flags[1 + 0] = 1; // the committing thread has claimed transaction 0
    const self = new SelfConflicts(targets, flags);
    const counter = reads([], [[A, SLOT]]);
    const claim = (i: number) => {
      flags[1 + i] = 2;
    };
    // From the back, as a worker goes: 11 (odd, independent), 10, 9, 8, 7, 6 ...
    claim(11);
    self.add(11, reads([[B, ACCOUNT_BALANCE]]), none, false);
    let i = 10;
    for (; self.heldBack === 0 && i > 0; i--) {
      claim(i);
      if (i % 2 === 0) self.add(i, counter, counter, false);
      else self.add(i, none, none, false);
    }
    // 10 is doomed by 8, 8 by 6, 6 by 4: three doomed of four speculated calls to the counter.
    expect(i + 1).toBe(4);
    expect([10, 8, 6].every((k) => self.isDoomed(k))).toBe(true);
    // Held: the counter's unclaimed calls below 4, not 0 (the committing thread's), not the odd contract's.
    const held = [...flags.subarray(1, 1 + n)].flatMap((f, k) => (f === 3 ? [k] : []));
    expect(held).toEqual([2]);
    expect(self.heldBack).toBe(1);
    expect(flags[1 + 1]).toBe(0);
    expect(flags[1 + 3]).toBe(0);
  });

  test("when most of the worker's speculations conflict, across contracts, the rest of the block is held back", () => {
    // Every transaction its own contract, all reading and writing one account's balance (a shared fee pool).
    const n = 30;
    const flags = new Int32Array(1 + 2 * n);
    const self = new SelfConflicts(
      Int32Array.from({ length: n }, (_, i) => i),
      flags,
    );
    const pool = reads([[B, ACCOUNT_BALANCE]]);
    let i = n - 1;
    for (; self.heldBack === 0 && i >= 0; i--) {
      flags[1 + i] = 2;
      self.add(i, pool, pool, false);
    }
    // COLD_AFTER doomed (each speculation dooms the one before it), more than half: everything below is held.
    expect(n - 1 - i).toBe(COLD_AFTER + 1);
    expect(self.heldBack).toBe(i + 1);
    expect([...flags.subarray(1, 1 + i + 1)].every((f) => f === 3)).toBe(true);
  });
});
