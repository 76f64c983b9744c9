import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createEVM, type EVM } from "@ethereumjs/evm";
import { Account, type Address, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { tuneEvm } from "../../../src/execution/evm/tuning.js";

const A = createAddressFromString("0x00000000000000000000000000000000000000aa");
const B = createAddressFromString("0x00000000000000000000000000000000000000bb");
const C = createAddressFromString("0x00000000000000000000000000000000000000cc");
const D = createAddressFromString("0x00000000000000000000000000000000000000dd");
const E = createAddressFromString("0x00000000000000000000000000000000000000e0");
const SENDER = createAddressFromString("0x00000000000000000000000000000000000000ee");

const push20 = (address: Address) => [0x73, ...address.bytes];
/**
 * CALL-family call with 65,536 gas (a failing frame takes only that): pushes its arguments (value only for
 * CALL) and pops its success flag.
 */
function call(op: number, to: Address, value: number | undefined, retOffset: number): number[] {
  const args = [0x60, 0x20, 0x60, retOffset, 0x60, 0x20, 0x60, 0x00];
  return [...args, ...(value === undefined ? [] : [0x60, value]), ...push20(to), 0x62, 0x01, 0x00, 0x00, op, 0x50];
}

/** E: stores 1 in slot 1 and stops (only a static frame makes it fail). */
const CODE_E = Uint8Array.from([0x60, 0x01, 0x60, 0x01, 0x55, 0x00]);

/** B: stores its call value, logs, returns its caller. */
const CODE_B = Uint8Array.from([
  0x34, 0x60, 0x00, 0x55, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x33, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
]);

/**
 * A: clears slot 5 (a refund that each call frame carries), stores its call value, logs, then calls B with
 * value, the SHA-256 precompile (STATICCALL), B again by DELEGATECALL, B and E by STATICCALL (where their
 * SSTOREs fail), the plain account C with value (a frame without code), D (an EIP-7702 delegation to B), and returns
 * or reverts 96 bytes of memory as its first calldata word says.
 */
function codeA(): Uint8Array {
  const code = [0x60, 0x00, 0x60, 0x05, 0x55, 0x34, 0x60, 0x01, 0x55, 0x60, 0x42, 0x60, 0x20, 0x60, 0x00, 0xa1];
  code.push(...call(0xf1, B, 1, 0x00));
  code.push(...call(0xfa, createAddressFromString("0x0000000000000000000000000000000000000002"), undefined, 0x20));
  code.push(...call(0xf4, B, undefined, 0x40));
  code.push(...call(0xfa, B, undefined, 0x40)); // B's SSTORE in a static frame: that call fails
  code.push(...call(0xfa, E, undefined, 0x40)); // and E's
  code.push(...call(0xf1, C, 2, 0x40));
  code.push(...call(0xf1, D, 0, 0x40));
  const jumpAt = code.length + 6;
  code.push(0x60, 0x00, 0x35, 0x60, 0, 0x57); // CALLDATALOAD(0), JUMPI to the REVERT below
  code.push(0x60, 0x60, 0x60, 0x00, 0xf3); // RETURN(0, 96)
  code[jumpAt - 2] = code.length;
  code.push(0x5b, 0x60, 0x60, 0x60, 0x00, 0xfd); // JUMPDEST, REVERT(0, 96)
  return Uint8Array.from(code);
}

async function world(tuned: boolean, hardfork: Hardfork, senderBalance: bigint): Promise<EVM> {
  const evm = await createEVM({ common: new Common({ chain: Mainnet, hardfork }) });
  if (tuned) await tuneEvm(evm);
  const state = evm.stateManager;
  for (const address of [A, B, C, D, E]) await state.putAccount(address, new Account(0n, 1000n));
  await state.putAccount(SENDER, new Account(0n, senderBalance));
  await state.putCode(A, codeA());
  await state.putStorage(A, hexToBytes(`0x${"00".repeat(31)}05`), Uint8Array.from([1]));
  await state.putCode(B, CODE_B);
  await state.putCode(E, CODE_E);
  await state.putCode(D, Uint8Array.from([0xef, 0x01, 0x00, ...B.bytes]));
  return evm;
}

/** A call's whole result and the state it leaves, comparable across EVMs (runState: its keys and own values). */
async function outcome(evm: EVM, to: Address, value: bigint, data: Uint8Array, gasLimit: bigint) {
  const result = await evm.runCall({ caller: SENDER, origin: SENDER, to, value, data, gasLimit });
  const { runState, ...exec } = result.execResult as typeof result.execResult & { runState?: Record<string, unknown> };
  const state = evm.stateManager;
  const accounts = [];
  for (const address of [A, B, C, D, E, SENDER]) {
    const account = await state.getAccount(address);
    accounts.push({
      balance: account?.balance,
      slots: [
        await state.getStorage(address, new Uint8Array(32)),
        await state.getStorage(address, hexToBytes(`0x${"00".repeat(31)}01`)),
      ],
    });
  }
  return {
    keys: Object.keys(result),
    execKeys: Object.keys(result.execResult),
    error: exec.exceptionError?.error,
    exec: { ...exec, exceptionError: undefined },
    runStateKeys: runState === undefined ? undefined : Object.keys(runState),
    runState:
      runState === undefined
        ? undefined
        : {
            gasLeft: runState.gasLeft,
            gasRefund: runState.gasRefund,
            programCounter: runState.programCounter,
            returnBytes: runState.returnBytes,
            logs: runState.logs,
            depth: runState.depth,
            isStatic: runState.isStatic,
            callValue: runState.callValue,
          },
    accounts,
  };
}

describe("weft's call frames (runInterpreter and _executeCall without spreads)", () => {
  test("give the library's results and state on nested calls of every kind, out of gas anywhere, under Cancun and Prague", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(Hardfork.Cancun, Hardfork.Prague),
        fc.constantFrom(A, C, D),
        fc.bigInt({ min: 0n, max: 20n }),
        fc.boolean(),
        fc.oneof(fc.constant(1_000_000n), fc.bigInt({ min: 0n, max: 300_000n })),
        fc.constantFrom(0n, 5n, 10_000n),
        async (hardfork, to, value, revert, gasLimit, senderBalance) => {
          const data = new Uint8Array(32);
          data[31] = revert ? 1 : 0;
          const run = async (tuned: boolean) =>
            outcome(await world(tuned, hardfork, senderBalance), to, value, data, gasLimit);
          expect(await run(true)).toEqual(await run(false));
        },
      ),
      { numRuns: 120 },
    );
  });

  test("are installed on tuned EVMs only, and step aside for Amsterdam's call-frame EIPs", async () => {
    const stock = await createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Prague }) });
    const tuned = await world(true, Hardfork.Prague, 100n);
    expect(Object.hasOwn(stock, "_executeCall")).toBe(false);
    expect(Object.hasOwn(tuned, "_executeCall")).toBe(true);
    expect(Object.hasOwn(tuned, "runInterpreter")).toBe(true);
    // With EIP-7708 active (transfer logs), the library's method runs: its log is in the result.
    const amsterdam = async (on: boolean) => {
      const evm = await world(on, Hardfork.Prague, 100n);
      evm.common.setEIPs([7708]);
      return outcome(evm, A, 3n, new Uint8Array(32), 1_000_000n);
    };
    const [ours, library] = [await amsterdam(true), await amsterdam(false)];
    expect(ours).toEqual(library);
  });
});
