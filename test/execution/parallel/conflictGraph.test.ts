import { describe, expect, test } from "vitest";
import {
  availableParallelism,
  conflictLevels,
  lastWritersBefore,
} from "../../../src/execution/parallel/conflictGraph.js";
import { ACCOUNT_BALANCE, ACCOUNT_NONCE, ACCOUNT_STORAGE, type TxAccess } from "../../../src/execution/state/access.js";

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";
const T = "0x00000000000000000000000000000000000000cc";
const slot = (k: number) => `0x${k.toString(16).padStart(64, "0")}`;

/** An access from `[address, mask]` account entries and `[address, slot]` storage entries, per side. */
function access(
  reads: { accounts?: Array<[string, number]>; slots?: Array<[string, number]> },
  writes: { accounts?: Array<[string, number]>; slots?: Array<[string, number]> } = {},
): TxAccess {
  const set = (side: typeof reads) => {
    const storage = new Map<string, Set<string>>();
    for (const [address, k] of side.slots ?? []) {
      const own = storage.get(address) ?? new Set<string>();
      own.add(slot(k));
      storage.set(address, own);
    }
    return { accounts: new Map(side.accounts ?? []), storage };
  };
  return { reads: set(reads), writes: set(writes) };
}

describe("lastWritersBefore", () => {
  test("the last earlier writer of anything read, field by field and slot by slot", () => {
    const sets = [
      // 0: A pays, writes T slot 1.
      access({ accounts: [[A, ACCOUNT_NONCE | ACCOUNT_BALANCE]] }, { accounts: [[A, ACCOUNT_NONCE]], slots: [[T, 1]] }),
      // 1: reads T slot 2 only, and A's balance (0 wrote A's nonce, not its balance): independent.
      access({ accounts: [[A, ACCOUNT_BALANCE]], slots: [[T, 2]] }, { slots: [[T, 2]] }),
      // 2: reads T slot 1 (written by 0) and slot 2 (written by 1): the later one.
      access(
        {
          slots: [
            [T, 1],
            [T, 2],
          ],
        },
        { accounts: [[B, ACCOUNT_BALANCE]] },
      ),
      // 3: writes T slot 2 without reading it (write after write is not a dependency).
      access({ accounts: [[B, ACCOUNT_NONCE]] }, { slots: [[T, 2]] }),
      // 4: reads B's balance, written by 2 (3 read B's nonce only).
      access({ accounts: [[B, ACCOUNT_BALANCE]] }),
    ];
    expect([...lastWritersBefore(sets)]).toEqual([-1, -1, 1, -1, 2]);
  });

  test("unknown sets depend on nothing and write nothing anyone waits for", () => {
    const writesSlot = access({}, { slots: [[T, 1]] });
    const readsSlot = access({ slots: [[T, 1]] });
    expect([...lastWritersBefore([writesSlot, undefined, readsSlot])]).toEqual([-1, -1, 0]);
    expect([...lastWritersBefore([undefined, readsSlot])]).toEqual([-1, -1]);
    // A read of the account's storage flag waits for a write of any of its slots' flag.
    const flag = access({ accounts: [[T, ACCOUNT_STORAGE]] });
    expect([...lastWritersBefore([access({}, { accounts: [[T, ACCOUNT_STORAGE]] }), flag])]).toEqual([-1, 0]);
  });
});

describe("conflict graph", () => {
  test("available parallelism and levels of a chain beside an independent transaction", () => {
    const sets = [
      access({ slots: [[T, 1]] }, { slots: [[T, 1]] }),
      access({ slots: [[T, 1]] }, { slots: [[T, 1]] }),
      access({ slots: [[T, 9]] }, { slots: [[T, 9]] }),
    ];
    expect(conflictLevels(sets)).toEqual([0, 1, 0]);
    const report = availableParallelism(sets, [10, 10, 10]);
    expect(report).toEqual({ totalWork: 30, criticalPathWork: 20, availableParallelism: 1.5 });
  });
});
