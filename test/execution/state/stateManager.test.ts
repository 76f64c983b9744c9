import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";

const ADDRESSES = [1, 2, 3].map((i) => new Address(setLengthLeft(Uint8Array.of(i), 20)));
const SLOTS = [0, 1, 2].map((i) => setLengthLeft(Uint8Array.of(i), 32));

type Op =
  | { kind: "account"; a: number; nonce: number; balance: number }
  | { kind: "delete"; a: number }
  | { kind: "storage"; a: number; s: number; v: number }
  | { kind: "clear"; a: number }
  | { kind: "code"; a: number; code: number }
  | { kind: "checkpoint" }
  | { kind: "commit" }
  | { kind: "revert" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("account" as const), a: fc.nat(2), nonce: fc.nat(3), balance: fc.nat(1000) }),
  fc.record({ kind: fc.constant("delete" as const), a: fc.nat(2) }),
  fc.record({ kind: fc.constant("storage" as const), a: fc.nat(2), s: fc.nat(2), v: fc.nat(3) }),
  fc.record({ kind: fc.constant("clear" as const), a: fc.nat(2) }),
  fc.record({ kind: fc.constant("code" as const), a: fc.nat(2), code: fc.nat(3) }),
  fc.constant({ kind: "checkpoint" as const }),
  fc.constant({ kind: "commit" as const }),
  fc.constant({ kind: "revert" as const }),
);

type SM = WeftStateManager | MerkleStateManager;

async function apply(sm: SM, o: Op, depth: { n: number }): Promise<void> {
  switch (o.kind) {
    case "account": {
      // As the EVM does: read the account, change fields, write it back (a fresh one only if none exists).
      const address = ADDRESSES[o.a] as Address;
      const account = (await sm.getAccount(address)) ?? new Account();
      account.nonce = BigInt(o.nonce);
      account.balance = BigInt(o.balance);
      return sm.putAccount(address, account);
    }
    case "delete": {
      // Storage is cleared first, as for a destroyed account: MerkleStateManager's deleteAccount alone leaves
      // the slots in its storage cache, so a later putCode at the address would see them again.
      const address = ADDRESSES[o.a] as Address;
      if ((await sm.getAccount(address)) !== undefined) await sm.clearStorage(address);
      return sm.deleteAccount(address);
    }
    case "storage": {
      const address = ADDRESSES[o.a] as Address;
      // Storage needs an account in ethereumjs's managers: create one in both first.
      if ((await sm.getAccount(address)) === undefined) await sm.putAccount(address, new Account());
      return sm.putStorage(address, SLOTS[o.s] as Uint8Array, o.v === 0 ? new Uint8Array(0) : Uint8Array.of(o.v));
    }
    case "clear":
      if ((await sm.getAccount(ADDRESSES[o.a] as Address)) === undefined) return;
      return sm.clearStorage(ADDRESSES[o.a] as Address);
    case "code": {
      const address = ADDRESSES[o.a] as Address;
      if ((await sm.getAccount(address)) === undefined) await sm.putAccount(address, new Account());
      return sm.putCode(address, o.code === 0 ? new Uint8Array(0) : Uint8Array.of(0x60, o.code, 0x00));
    }
    case "checkpoint":
      depth.n++;
      return sm.checkpoint();
    case "commit":
      if (depth.n === 0) return;
      depth.n--;
      return sm.commit();
    case "revert":
      if (depth.n === 0) return;
      depth.n--;
      return sm.revert();
  }
}

async function observe(sm: SM): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const address of ADDRESSES) {
    const account = await sm.getAccount(address);
    out.push(account === undefined ? null : [account.nonce, account.balance, bytesToHex(account.codeHash)]);
    if (account === undefined) continue;
    out.push(bytesToHex(await sm.getCode(address)));
    for (const slot of SLOTS) out.push(bytesToHex(await sm.getStorage(address, slot)));
  }
  return out;
}

describe("WeftStateManager against MerkleStateManager", () => {
  test("random puts, deletes, checkpoints, commits and reverts leave the same observable state and root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const ours = new WeftStateManager({ layer: new StateLayer(new StateLayer()) });
        const ref = new MerkleStateManager();
        const d1 = { n: 0 };
        const d2 = { n: 0 };
        for (const o of ops) {
          await apply(ours, o, d1);
          await apply(ref, o, d2);
          expect(await observe(ours)).toEqual(await observe(ref));
        }
        while (d1.n > 0) {
          await apply(ours, { kind: "commit" }, d1);
          await apply(ref, { kind: "commit" }, d2);
        }
        expect(bytesToHex(await ours.getStateRoot())).toBe(bytesToHex(await ref.getStateRoot()));
      }),
      { numRuns: 150 },
    );
  });

  test("roots over a pinned base follow every change, reverts included, as a full root does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 15 }), fc.array(op, { maxLength: 40 }), async (before, after) => {
        const ours = new WeftStateManager({ layer: new StateLayer() });
        const ref = new MerkleStateManager();
        const d1 = { n: 0 };
        const d2 = { n: 0 };
        const settle = async () => {
          while (d1.n > 0) {
            await apply(ours, { kind: "commit" }, d1);
            await apply(ref, { kind: "commit" }, d2);
          }
        };
        for (const o of before) {
          await apply(ours, o, d1);
          await apply(ref, o, d2);
        }
        await settle();
        const base = ours.layer;
        ours.layer = new StateLayer(base);
        ours.pinRootBase(base);
        for (const o of after) {
          await apply(ours, o, d1);
          await apply(ref, o, d2);
          // A root at the outermost level, as runTx asks for one after each transaction.
          if (d1.n === 0) expect(bytesToHex(await ours.getStateRoot())).toBe(bytesToHex(await ref.getStateRoot()));
        }
        await settle();
        expect(bytesToHex(await ours.getStateRoot())).toBe(bytesToHex(await ref.getStateRoot()));
      }),
      { numRuns: 150 },
    );
  });

  test("layers: a transaction's layer over a block's over a base, merged and discarded", async () => {
    const base = new StateLayer();
    const address = ADDRESSES[0] as Address;
    const baseSm = new WeftStateManager({ layer: base });
    await baseSm.putAccount(address, new Account(1n, 100n));
    await baseSm.putStorage(address, SLOTS[0] as Uint8Array, Uint8Array.of(7));

    const block = new StateLayer(base);
    const tx = new WeftStateManager({ layer: new StateLayer(block) });
    await tx.putStorage(address, SLOTS[0] as Uint8Array, Uint8Array.of(9));
    await tx.clearStorage(ADDRESSES[1] as Address);
    expect(await tx.getStorage(address, SLOTS[0] as Uint8Array)).toEqual(Uint8Array.of(9));
    // Discarding the transaction's layer leaves the block untouched.
    expect(block.slot(bytesToHex(address.bytes).slice(2), bytesToHex(SLOTS[0] as Uint8Array).slice(2))).toEqual(
      Uint8Array.of(7),
    );
    tx.layer.mergeIntoParent();
    expect(await new WeftStateManager({ layer: block }).getStorage(address, SLOTS[0] as Uint8Array)).toEqual(
      Uint8Array.of(9),
    );
    // The base still holds the original.
    expect(await baseSm.getStorage(address, SLOTS[0] as Uint8Array)).toEqual(Uint8Array.of(7));
  });

  test("original storage is the value at the start of the transaction", async () => {
    const sm = new WeftStateManager();
    const address = ADDRESSES[0] as Address;
    await sm.putAccount(address, new Account());
    await sm.putStorage(address, SLOTS[0] as Uint8Array, Uint8Array.of(1));
    sm.beginTx();
    sm.originalStorageCache.clear();
    await sm.checkpoint();
    await sm.putStorage(address, SLOTS[0] as Uint8Array, Uint8Array.of(2));
    await sm.putStorage(address, SLOTS[0] as Uint8Array, Uint8Array.of(3));
    expect(await sm.originalStorageCache.get(address, SLOTS[0] as Uint8Array)).toEqual(Uint8Array.of(1));
    await sm.revert();
    expect(await sm.getStorage(address, SLOTS[0] as Uint8Array)).toEqual(Uint8Array.of(1));
    expect(hexToBytes("0x01")).toEqual(await sm.originalStorageCache.get(address, SLOTS[0] as Uint8Array));
  });
});
