import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generateWorkload, WORKLOAD_KINDS } from "../../../src/devnet/workloads/index.js";
import { freshBlock } from "../../../src/execution/parallel/compareExecution.js";
import { decodeResult, encodeResult } from "../../../src/execution/parallel/resultCodec.js";
import { markPostExecution, type SpeculativeResult, speculate } from "../../../src/execution/parallel/speculate.js";
import { bytesKey } from "../../../src/execution/state/keys.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { fixtureBlockchain } from "../../../src/execution/stock.js";
import { createWeftVM } from "../../../src/execution/vm.js";

/** Keys in order, all the way down: toEqual ignores order, the receipts' and records' JSON does not. */
function shape(value: unknown): unknown {
  if (value instanceof Map) return [...value].map(([k, v]) => [k, shape(v)]);
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return `u8:${Buffer.from(value).toString("hex")}`;
  if (typeof value === "bigint") return `n:${value}`;
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return value;
}

async function resultsOf(kind: (typeof WORKLOAD_KINDS)[number]): Promise<SpeculativeResult[]> {
  const w = await generateWorkload({ kind, txs: 12, seed: 3 });
  const block = freshBlock(w.block, w.common);
  const coinbaseKey = bytesKey(block.header.coinbase.bytes);
  const blockLayer = new StateLayer(new StateLayer(w.base));
  const state = new WeftStateManager({ layer: blockLayer, lazyCoinbase: coinbaseKey });
  const vm = await createWeftVM({ common: w.common, stateManager: state, blockchain: fixtureBlockchain({}) });
  markPostExecution(vm, state);
  const out: SpeculativeResult[] = [];
  for (let i = block.transactions.length - 1; i >= 0; i--) {
    state.clearCaches();
    out.push(await speculate({ vm, state, block, blockLayer, coinbaseKey }, block.transactions[i] as never, i, 0));
  }
  return out;
}

describe("speculative results as bytes", () => {
  test.each(WORKLOAD_KINDS)("%s: every result reads back equal, keys in the same order", async (kind) => {
    const results = await resultsOf(kind);
    expect(results).toHaveLength(12);
    for (const result of results) {
      const bytes = encodeResult(result);
      expect(bytes).toBeDefined();
      const back = decodeResult(bytes as Uint8Array);
      expect(shape(back)).toEqual(shape(result));
    }
  });

  test("arbitrary access sets, diffs, receipts and bigints of either sign read back equal", () => {
    const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString("hex"));
    const access = fc.record({
      accounts: fc.array(fc.tuple(hex(20), fc.integer({ min: 0, max: 31 }))).map((e) => new Map(e)),
      storage: fc.array(fc.tuple(hex(20), fc.array(hex(32)))).map((e) => new Map(e.map(([a, s]) => [a, new Set(s)]))),
    });
    // Small values travel as doubles, the rest as hex: both sides of 2^53, and either sign, often.
    const edge = BigInt(Number.MAX_SAFE_INTEGER);
    const big = fc.oneof(
      fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }),
      fc.bigInt({ min: -(1n << 60n), max: 1n << 60n }),
      fc.constantFrom(0n, -1n, edge, edge + 1n, edge + 2n, -edge, -edge - 1n),
    );
    const result = fc.record({
      index: fc.nat(1e6),
      failed: fc.boolean(),
      gasUsed: big,
      receipt: fc.option(
        fc.record({
          status: fc.constantFrom(0, 1),
          cumulativeBlockGasUsed: big,
          bitvector: fc.uint8Array({ minLength: 256, maxLength: 256 }),
          logs: fc.array(fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.array(fc.uint8Array()), fc.uint8Array())),
          blobGasUsed: big,
        }),
        { nil: undefined },
      ),
      reads: access,
      writes: access,
      coinbaseDelta: fc.option(big, { nil: undefined }),
      diff: fc.option(
        fc.record({
          accounts: fc
            .array(fc.tuple(hex(20), fc.option(fc.record({ nonce: big, balance: big, codeHash: fc.uint8Array() }))))
            .map((e) => new Map(e)),
          storage: fc
            .array(fc.tuple(hex(20), fc.array(fc.tuple(hex(32), fc.uint8Array({ maxLength: 32 })))))
            .map((e) => new Map(e.map(([a, s]) => [a, new Map(s)]))),
          cleared: fc.array(hex(20)).map((e) => new Set(e)),
          code: fc.array(fc.tuple(hex(20), fc.uint8Array())).map((e) => new Map(e)),
        }),
        { nil: undefined },
      ),
      ms: fc.double({ noNaN: true }),
      version: fc.nat(1e6),
    });
    fc.assert(
      fc.property(result, (r) => {
        const value = r as unknown as SpeculativeResult;
        const bytes = encodeResult(value);
        expect(bytes).toBeDefined();
        expect(shape(decodeResult(bytes as Uint8Array))).toEqual(shape(value));
      }),
      { numRuns: 300 },
    );
  });

  test("a receipt or account record of another shape is left to structured clone", async () => {
    const [result] = await resultsOf("erc20");
    const r = result as SpeculativeResult;
    const odd = { ...r, receipt: { ...(r.receipt as object), extra: 1 } } as unknown as SpeculativeResult;
    expect(encodeResult(odd)).toBeUndefined();
    const diff = r.diff as NonNullable<SpeculativeResult["diff"]>;
    const [key, record] = [...diff.accounts][0] as [string, object];
    const accounts = new Map(diff.accounts).set(key, { ...record, storageRoot: new Uint8Array(32) } as never);
    expect(encodeResult({ ...r, diff: { ...diff, accounts } })).toBeUndefined();
  });
});
