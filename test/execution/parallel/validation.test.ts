import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import { COLD_AFTER, HOT_AFTER, HotTargets, LastWriters } from "../../../src/execution/parallel/validation.js";
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
