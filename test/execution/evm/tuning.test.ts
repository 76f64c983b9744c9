import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createEVM } from "@ethereumjs/evm";
import { Account, bigIntToBytes, createAddressFromString, setLengthLeft } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  importEvmModule,
  shortestBytes,
  storageWord,
  wordBytes,
  writeWord,
} from "../../../src/execution/evm/handlers.js";
import { fastEipLookup, jumpAnalysis, loadInterpreter, tuneEvm } from "../../../src/execution/evm/tuning.js";

describe("tuned EVM", () => {
  test("jump analysis equals the library's on random code", async () => {
    const Interpreter = await loadInterpreter();
    const evm = await createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }) });
    const table = (evm as unknown as { _opcodeMap: Record<number, never> })._opcodeMap;
    const self = { lookupOpInfo: (op: number) => table[op], common: evm.common };
    const original = (code: Uint8Array) => Interpreter.prototype._getValidJumpDestinations.call(self, code);
    // Bias towards PUSH and JUMPDEST bytes, with truncated PUSHes at the end.
    const byte = fc.oneof(fc.integer({ min: 0x5b, max: 0x7f }), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 300 }), (bytes) => {
        const code = Uint8Array.from(bytes);
        const ours = jumpAnalysis(code, table);
        const theirs = original(code);
        expect(ours.jumps).toEqual(theirs.jumps);
        expect(ours.pushes).toEqual(theirs.pushes);
        expect(ours.opcodesCached).toEqual(theirs.opcodesCached);
      }),
      { numRuns: 300 },
    );
  });
});

describe("weft's opcode handlers", () => {
  const word = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    fc.integer({ min: 0, max: 256 }).chain((bits) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })),
    fc.constantFrom(0n, 1n, 255n, 256n, (1n << 48n) - 1n, 1n << 48n, (1n << 64n) - 1n, (1n << 256n) - 1n),
  );

  test("wordBytes and writeWord give the library's 32-byte form of every word", () => {
    fc.assert(
      fc.property(word, fc.integer({ min: 0, max: 8 }), (value, at) => {
        const expected = setLengthLeft(bigIntToBytes(value), 32);
        expect(wordBytes(value)).toEqual(expected);
        const out = new Uint8Array(at + 40);
        writeWord(value, out, at);
        expect(out.subarray(at, at + 32)).toEqual(expected);
        expect(out.subarray(0, at).every((b) => b === 0)).toBe(true);
        expect(out.subarray(at + 32).every((b) => b === 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("shortestBytes and storageWord give the library's bigIntToBytes and setLengthLeftStorage", async () => {
    const { setLengthLeftStorage } = await importEvmModule<{ setLengthLeftStorage(v: Uint8Array): Uint8Array }>(
      "opcodes/util.js",
    );
    fc.assert(
      fc.property(word, fc.uint8Array({ maxLength: 32 }), (value, bytes) => {
        if (value !== 0n) expect(shortestBytes(value)).toEqual(bigIntToBytes(value));
        expect(storageWord(bytes)).toEqual(setLengthLeftStorage(bytes));
        expect(storageWord(new Uint8Array(bytes.length))).toEqual(setLengthLeftStorage(new Uint8Array(bytes.length)));
      }),
      { numRuns: 2000 },
    );
    expect(() => storageWord(new Uint8Array(33).fill(1))).toThrow(/exceeds target length 32/);
    expect(() => setLengthLeftStorage(new Uint8Array(33).fill(1))).toThrow(/exceeds target length 32/);
  });

  /** PUSH32 of a word (its 32 bytes). */
  const push32 = (value: bigint) => [0x7f, ...setLengthLeft(bigIntToBytes(value), 32)];

  /** Code that stores, loads, logs and returns random words: every replaced handler on random inputs. */
  function program(words: bigint[], offsets: number[], stop: boolean): Uint8Array {
    const code: number[] = [];
    words.forEach((w, i) => {
      const offset = offsets[i % offsets.length] as number;
      code.push(...push32(w), 0x61, offset >> 8, offset & 0xff, 0x52); // MSTORE w at offset
      code.push(...push32(w), ...push32(words[(i + 1) % words.length] as bigint), 0x55); // SSTORE key=next, value=w
      code.push(...push32(words[(i + 1) % words.length] as bigint), 0x54, 0x60, 0x00, 0x52); // MSTORE(0, SLOAD(next))
      code.push(...push32(w), 0x54, 0x50); // SLOAD(w) (cold or warm), POP
      const topics = i % 5;
      for (let t = 0; t < topics; t++) code.push(...push32(words[(i + t) % words.length] as bigint));
      code.push(0x60, 0x40, 0x60, 0x00, 0xa0 + topics); // LOGn(0, 64, topics…)
      code.push(0x5a, 0x61, (offset + 32) >> 8, (offset + 32) & 0xff, 0x52); // MSTORE(offset + 32, GAS)
      code.push(0x60, 0x07, 0x60, 0x03, 0x02, 0x50); // 3 * 7, POP: static opcodes between
    });
    if (stop)
      code.push(0x60, 0x01, 0x60, 0x02, 0x01, 0x00); // 1 + 2, STOP: ends on static opcodes
    else code.push(0x61, 0x04, 0x00, 0x60, 0x00, 0xf3); // RETURN(0, 1024)
    return Uint8Array.from(code);
  }

  test("a tuned EVM gives the library's result, gas and logs on programs of random words, out of gas anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 992 }), { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.constant(30_000_000n), fc.bigInt({ min: 0n, max: 400_000n })),
        fc.boolean(),
        // Every SSTORE gas rule: Constantinople's EIP-1283, Petersburg's original one, EIP-2200, with EIP-2929.
        fc.constantFrom(
          Hardfork.Constantinople,
          Hardfork.Petersburg,
          Hardfork.Istanbul,
          Hardfork.Berlin,
          Hardfork.Cancun,
        ),
        async (words, offsets, gasLimit, stop, hardfork) => {
          const code = program(words, offsets, stop);
          const run = async (tuned: boolean) => {
            const evm = await createEVM({ common: new Common({ chain: Mainnet, hardfork }) });
            if (tuned) await tuneEvm(evm);
            const address = createAddressFromString("0x00000000000000000000000000000000000000aa");
            await evm.stateManager.putAccount(address, new Account());
            const result = await evm.runCode({ code, gasLimit, to: address });
            return {
              error: result.exceptionError?.error,
              gas: result.executionGasUsed,
              returned: result.returnValue,
              logs: result.logs,
              refund: result.gasRefund,
            };
          };
          expect(await run(true)).toEqual(await run(false));
        },
      ),
      { numRuns: 150 },
    );
  });

  test("out of gas on each of a program's last opcodes, as the library", async () => {
    const runner = (tuned: boolean) => async (code: Uint8Array, gasLimit: bigint) => {
      const evm = await createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }) });
      if (tuned) await tuneEvm(evm);
      const address = createAddressFromString("0x00000000000000000000000000000000000000aa");
      await evm.stateManager.putAccount(address, new Account());
      const result = await evm.runCode({ code, gasLimit, to: address });
      return { error: result.exceptionError?.error, gas: result.executionGasUsed, returned: result.returnValue };
    };
    const [tuned, library] = [runner(true), runner(false)];
    for (const stop of [true, false]) {
      const code = program([5n, 1n << 200n, 77n], [0, 64], stop);
      const needed = (await library(code, 30_000_000n)).gas;
      for (let gas = needed - 40n; gas <= needed + 1n; gas++) {
        expect(await tuned(code, gas)).toEqual(await library(code, gas));
      }
    }
  });

  test("custom opcodes keep their own handlers", async () => {
    const custom = () => {};
    const evm = await createEVM({
      common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }),
      customOpcodes: [{ opcode: 0x52, opcodeName: "MYSTORE", baseFee: 3, logicFunction: custom }],
    });
    await tuneEvm(evm);
    const table = (evm as unknown as { _opcodeMap: Array<{ opHandler: unknown }> })._opcodeMap;
    expect(table[0x52]?.opHandler).toBe(custom);
    expect(table[0x54]?.opHandler).not.toBe(
      (evm as unknown as { _handlers: Map<number, unknown> })._handlers.get(0x54),
    );
  });

  test("the handlers come back after the library rebuilds its table on a hardfork change", async () => {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Shanghai });
    const evm = await createEVM({ common });
    await tuneEvm(evm);
    common.setHardfork(Hardfork.Cancun);
    const internals = evm as unknown as { _opcodeMap: Array<{ opHandler: unknown }>; _handlers: Map<number, unknown> };
    expect(internals._opcodeMap[0x52]?.opHandler).not.toBe(internals._handlers.get(0x52));
  });

  test("the EIP lookup answers as Common's own across hardfork changes and setEIPs", () => {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Chainstart });
    const original = Common.prototype.isActivatedEIP;
    fastEipLookup(common);
    const eips = Array.from({ length: 8100 }, (_, i) => i);
    const check = () => {
      for (const eip of eips) expect(common.isActivatedEIP(eip)).toBe(original.call(common, eip));
    };
    for (const hardfork of [Hardfork.Chainstart, Hardfork.Berlin, Hardfork.London, Hardfork.Cancun, Hardfork.Prague]) {
      common.setHardfork(hardfork);
      check();
    }
    common.setHardfork(Hardfork.London);
    common.setEIPs([3855]);
    check();
    const copy = common.copy();
    copy.setHardfork(Hardfork.Berlin);
    for (const eip of eips) expect(copy.isActivatedEIP(eip)).toBe(original.call(copy, eip));
    check();
  });
});
