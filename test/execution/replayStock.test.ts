import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { replayFile } from "../../src/execution/replay.js";
import { stockEngine } from "../../src/execution/stock.js";
import { mainnetBlocksDir } from "../shared.js";

const fixture = (n: number) => join(mainnetBlocksDir(), `${n}.json.gz`);

describe("stock engine replay", () => {
  // One block per era: Frontier, pre-Byzantium, Berlin (access lists), London, Cancun with a blob transaction.
  test.each([46147, 2675000, 12459406, 14029313, 19932703])("block %i reproduces its header", async (n) => {
    const r = await replayFile(fixture(n), { engine: stockEngine, threads: 1 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.number).toBe(n);
  });

  test("a wrong header is caught", async () => {
    const json = JSON.parse(gunzipSync(readFileSync(fixture(12459406))).toString());
    json.block.gasUsed = "0x1";
    const file = join(mkdtempSync(join(tmpdir(), "weft-")), "12459406.json.gz");
    writeFileSync(file, gzipSync(JSON.stringify(json)));
    const r = await replayFile(file, { engine: stockEngine, threads: 1 });
    expect(r.ok).toBe(false);
    expect(r.mismatches).toEqual(["gasUsed"]);
  });

  test("an undecodable transaction is named by index", async () => {
    const json = JSON.parse(gunzipSync(readFileSync(fixture(12459406))).toString());
    json.block.transactions[7].r = "0xnothex";
    const file = join(mkdtempSync(join(tmpdir(), "weft-")), "bad-tx.json.gz");
    writeFileSync(file, gzipSync(JSON.stringify(json)));
    const r = await replayFile(file, { engine: stockEngine, threads: 1 });
    expect(r.ok).toBe(false);
    expect(r.txIndex).toBe(7);
    expect(r.error).toMatch(/transaction 7 cannot be decoded/);
  });
});
