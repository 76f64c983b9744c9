import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx } from "@ethereumjs/tx";
import {
  Account,
  Address,
  bytesToHex,
  concatBytes,
  generateAddress2,
  hexToBytes,
  privateToAddress,
  setLengthLeft,
} from "@ethereumjs/util";
import { createVM } from "@ethereumjs/vm";
import { describe, expect, test } from "vitest";
import { executeBlock } from "../../src/execution/executeBlock.js";
import { ACCOUNT_EXISTS, fieldNames, type TxAccess } from "../../src/execution/state/access.js";
import { StateLayer } from "../../src/execution/state/layer.js";
import { WeftStateManager } from "../../src/execution/state/stateManager.js";

const KEY = hexToBytes(`0x${"11".repeat(32)}`);
const SENDER = new Address(privateToAddress(KEY));
const addr = (byte: number) => new Address(new Uint8Array(20).fill(byte));
const hex = (a: Address) => a.toString();
const slotHex = (n: number) => bytesToHex(setLengthLeft(Uint8Array.of(n), 32));

/** Bytecode from opcodes and byte pieces. */
function code(...parts: Array<number | Uint8Array>): Uint8Array {
  return concatBytes(...parts.map((p) => (typeof p === "number" ? Uint8Array.of(p) : p)));
}
const PUSH1 = (v: number) => code(0x60, v);
const PUSH20 = (a: Address) => concatBytes(Uint8Array.of(0x73), a.bytes);
const [STOP, SSTORE, SLOAD, POP, GAS, CALL, REVERT, SELFDESTRUCT, CREATE2, MSTORE] = [
  0x00, 0x55, 0x54, 0x50, 0x5a, 0xf1, 0xfd, 0xff, 0xf5, 0x52,
];

async function runOne(
  hardfork: Hardfork,
  accounts: Array<{
    address: Address;
    balance?: bigint;
    nonce?: bigint;
    code?: Uint8Array;
    storage?: Array<[number, number]>;
  }>,
  to: Address,
): Promise<TxAccess> {
  const common = new Common({ chain: Mainnet, hardfork });
  const base = new StateLayer();
  const setup = new WeftStateManager({ layer: base });
  await setup.putAccount(SENDER, new Account(0n, 10n ** 20n));
  for (const a of accounts) {
    await setup.putAccount(a.address, new Account(a.nonce ?? 0n, a.balance ?? 0n));
    if (a.code !== undefined) await setup.putCode(a.address, a.code);
    for (const [slot, value] of a.storage ?? []) {
      await setup.putStorage(a.address, setLengthLeft(Uint8Array.of(slot), 32), Uint8Array.of(value));
    }
  }
  const state = new WeftStateManager({ layer: new StateLayer(base) });
  const vm = await createVM({ common, stateManager: state });
  const tx = createLegacyTx({ nonce: 0, gasPrice: 10n ** 10n, gasLimit: 1_000_000, to }, { common }).sign(KEY);
  const block = createBlock(
    { header: { number: 20_000_000n, gasLimit: 30_000_000n, timestamp: 1n, baseFeePerGas: 7n, coinbase: addr(0xcb) } },
    { common },
  );
  const result = await executeBlock({ vm, state, block, transactions: [tx], finalize: false });
  expect(result.invalid).toEqual([]);
  const access = result.transactions[0]?.access;
  if (access === undefined) throw new Error("no access recorded");
  return access;
}

const CALLER = addr(0xc0);

describe("read and write sets", () => {
  test("a CALL to an empty account reads it but writes nothing there", async () => {
    const empty = addr(0xee);
    const access = await runOne(
      Hardfork.Shanghai,
      [
        {
          address: CALLER,
          code: code(PUSH1(0), PUSH1(0), PUSH1(0), PUSH1(0), PUSH1(0), PUSH20(empty), GAS, CALL, STOP),
        },
      ],
      CALLER,
    );
    expect((access.reads.accounts.get(hex(empty)) ?? 0) & ACCOUNT_EXISTS).toBeTruthy();
    expect(access.writes.accounts.has(hex(empty))).toBe(false);
    expect(fieldNames(access.writes.accounts.get(hex(SENDER)) ?? 0)).toEqual(["nonce", "balance"]);
    expect(fieldNames(access.writes.accounts.get(hex(addr(0xcb))) ?? 0)).toContain("balance");
  });

  test("SELFDESTRUCT writes the whole account and the beneficiary's balance", async () => {
    const beneficiary = addr(0xbe);
    const doomed = addr(0xdd);
    const access = await runOne(
      Hardfork.Shanghai,
      [{ address: doomed, balance: 5n, code: code(PUSH20(beneficiary), SELFDESTRUCT), storage: [[3, 9]] }],
      doomed,
    );
    expect(fieldNames(access.writes.accounts.get(hex(doomed)) ?? 0)).toEqual([
      "exists",
      "nonce",
      "balance",
      "code",
      "storage",
    ]);
    expect(access.writes.storage.get(hex(doomed))).toEqual(new Set([slotHex(3)]));
    expect(fieldNames(access.writes.accounts.get(hex(beneficiary)) ?? 0)).toEqual([
      "exists",
      "nonce",
      "balance",
      "code",
    ]);
  });

  test("a CREATE2 collision reads the occupied address and writes nothing there", async () => {
    const factory = addr(0xfa);
    const initCode = code(STOP);
    const target = new Address(generateAddress2(factory.bytes, new Uint8Array(32), initCode));
    // Put the one-byte init code in memory at 31, then CREATE2(value 0, offset 31, size 1, salt 0).
    const factoryCode = code(PUSH1(0), PUSH1(0), MSTORE, PUSH1(0), PUSH1(1), PUSH1(31), PUSH1(0), CREATE2, POP, STOP);
    const access = await runOne(
      Hardfork.Shanghai,
      [
        { address: factory, code: factoryCode },
        { address: target, nonce: 1n },
      ],
      factory,
    );
    expect(access.reads.accounts.has(hex(target))).toBe(true);
    expect(access.writes.accounts.has(hex(target))).toBe(false);
    expect(fieldNames(access.writes.accounts.get(hex(factory)) ?? 0)).toEqual(["nonce"]);
  });

  test("a slot reset to zero is written", async () => {
    const store = addr(0x55);
    const access = await runOne(
      Hardfork.Shanghai,
      [{ address: store, code: code(PUSH1(0), PUSH1(4), SSTORE, STOP), storage: [[4, 5]] }],
      store,
    );
    expect(access.writes.storage.get(hex(store))).toEqual(new Set([slotHex(4)]));
    expect(fieldNames(access.writes.accounts.get(hex(store)) ?? 0)).toEqual(["storage"]);
  });

  test("a reverted inner call's reads count, its writes do not", async () => {
    const outer = addr(0x01);
    const inner = addr(0x02);
    const innerCode = code(PUSH1(1), SLOAD, POP, PUSH1(7), PUSH1(2), SSTORE, PUSH1(0), PUSH1(0), REVERT);
    const outerCode = code(PUSH1(0), PUSH1(0), PUSH1(0), PUSH1(0), PUSH1(0), PUSH20(inner), GAS, CALL, STOP);
    const access = await runOne(
      Hardfork.Shanghai,
      [
        { address: outer, code: outerCode },
        { address: inner, code: innerCode, storage: [[1, 3]] },
      ],
      outer,
    );
    expect(access.reads.storage.get(hex(inner))?.has(slotHex(1))).toBe(true);
    expect(access.reads.storage.get(hex(inner))?.has(slotHex(2))).toBe(true);
    expect(access.writes.storage.has(hex(inner))).toBe(false);
    expect(access.writes.accounts.has(hex(inner))).toBe(false);
    expect((access.reads.accounts.get(hex(inner)) ?? 0) & ACCOUNT_EXISTS).toBeTruthy();
  });
});
