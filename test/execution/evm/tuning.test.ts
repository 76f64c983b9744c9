import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createEVM } from "@ethereumjs/evm";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { jumpAnalysis, loadInterpreter } from "../../../src/execution/evm/tuning.js";

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
