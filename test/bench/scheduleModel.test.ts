import { describe, expect, test } from "vitest";
import {
  accessKeys,
  backToFront,
  MEASURED,
  oracle,
  scaleOverheads,
  symmetric,
  type TraceTx,
  writersBefore,
} from "../../bench/scheduleModel.js";
import { ACCOUNT_BALANCE, ACCOUNT_NONCE } from "../../src/execution/state/access.js";

const FREE = scaleOverheads({ ...MEASURED, contention: 1 }, 0);
const tx = (ms: number, reads: string[] = [], writes: string[] = []): TraceTx => ({
  ms,
  plain: false,
  failed: false,
  reads: new Set(reads),
  writes: new Set(writes),
});
/** n transactions of 1 ms, each on its own key. */
const independent = (n: number) => Array.from({ length: n }, (_, i) => tx(1, [`k${i}`], [`k${i}`]));
/** n transactions of 1 ms, each reading what the one before wrote. */
const chain = (n: number) => Array.from({ length: n }, () => tx(1, ["c"], ["c"]));

describe("the schedule model", () => {
  test("access sets become one key per account field and per slot; dependencies are the last writers", () => {
    const keys = accessKeys({
      accounts: new Map([["0xaa", ACCOUNT_NONCE | ACCOUNT_BALANCE]]),
      storage: new Map([["0xbb", new Set(["0x01"])]]),
    });
    expect([...keys].sort()).toEqual(["0xaa#2", "0xaa#4", "0xbb|0x01"]);
    const txs = [tx(1, [], ["a"]), tx(1, [], ["a", "b"]), tx(1, ["a", "b"], []), tx(1, ["z"], [])];
    expect(writersBefore(txs)).toEqual([[], [], [1], []]);
  });

  test("independent transactions without overheads: every schedule halves the block, or nearly", () => {
    const txs = independent(10);
    const preds = writersBefore(txs);
    expect(backToFront(txs, FREE).ms).toBeCloseTo(5);
    expect(oracle(txs, preds, 1)).toBeCloseTo(5);
    // Greedy: the worker takes the first ready transaction after the committing thread's, which can leave the
    // committing thread one transaction more.
    const sym = symmetric(txs, preds, FREE);
    expect(sym.ms).toBeGreaterThanOrEqual(5);
    expect(sym.ms).toBeLessThanOrEqual(6);
    expect(sym.usefulMs).toBeGreaterThanOrEqual(4);
  });

  test("a chain: no schedule beats sequential, and the worker's speculations are thrown away", () => {
    const txs = chain(10);
    const preds = writersBefore(txs);
    const back = backToFront(txs, FREE);
    expect(back.ms).toBeGreaterThanOrEqual(10);
    expect(back.usefulMs).toBe(0);
    expect(back.wastedMs).toBe(5); // from the back to the middle, each read what an uncommitted one wrote
    expect(symmetric(txs, preds, FREE).ms).toBeCloseTo(10);
    expect(oracle(txs, preds, 1)).toBeCloseTo(10);
    // Dependencies known: the worker passes the whole chain over, nothing is thrown away, and the committing thread
    // executes it alone (without contention once the worker is done).
    const known = backToFront(txs, MEASURED, preds);
    expect(known.wastedMs).toBe(0);
    expect(known.usefulMs).toBe(0);
    expect(known.ms).toBeCloseTo(10);
  });

  test("dependencies known: the worker speculates what the committed prefix already covers", () => {
    // Two independent halves; in the back half each reads the front half's first write, committed first.
    const txs = [tx(1, [], ["a"]), ...independent(3), tx(1, ["a"], ["x"]), tx(1, ["a"], ["y"])];
    const preds = writersBefore(txs);
    const costs = { ...FREE, publishEvery: 1 };
    const blind = backToFront(txs, costs);
    const known = backToFront(txs, costs, preds);
    expect(blind.wastedMs).toBeGreaterThan(0);
    expect(known.wastedMs).toBe(0);
    expect(known.ms).toBeLessThanOrEqual(blind.ms);
  });

  test("overheads and contention cost time; the oracle fills around a dependency out of order", () => {
    const txs = independent(10);
    expect(backToFront(txs, MEASURED).ms).toBeGreaterThan(5 * MEASURED.contention);
    // 0 → 1 (1 ms each) and four independent ones: 3 ms on two threads.
    const mixed = [tx(1, [], ["a"]), tx(1, ["a"], []), ...independent(4)];
    expect(oracle(mixed, writersBefore(mixed), 1)).toBeCloseTo(3);
    expect(scaleOverheads(MEASURED, 0)).toMatchObject({ specBase: 0, specFactor: 1, applyBase: 0, track: 0 });
  });
});
