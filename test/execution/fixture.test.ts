import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { ExecutionError } from "../../src/execution/errors.js";
import { expandFixturePaths, loadFixture } from "../../src/execution/fixture.js";
import { mainnetBlocksDir } from "../shared.js";

const dir = mkdtempSync(join(tmpdir(), "weft-fixture-"));

describe("loadFixture", () => {
  test("reads a real fixture", async () => {
    const f = await loadFixture(join(mainnetBlocksDir(), "46147.json.gz"));
    expect(f.number).toBe(46147);
    expect(f.block.transactions).toHaveLength(1);
    expect(Object.keys(f.preState).length).toBeGreaterThan(0);
  });

  test.each([
    ["missing file", join(dir, "nope.json.gz"), "FIXTURE_UNREADABLE", /cannot read fixture/],
    ["corrupt gzip", write("bad.json.gz", Buffer.from("not gzip at all")), "FIXTURE_UNREADABLE", /not valid gzip/],
    ["malformed JSON", write("json.json.gz", gzipSync("{ nope")), "FIXTURE_MALFORMED", /not valid JSON/],
    ["no block", write("noblock.json.gz", gzipSync("{}")), "FIXTURE_MALFORMED", /missing `block`/],
  ])("%s is a typed error naming the file", async (_name, file, code, message) => {
    const err = await loadFixture(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as ExecutionError).code).toBe(code);
    expect((err as ExecutionError).message).toMatch(message);
    expect((err as ExecutionError).message).toContain(file);
  });

  test("a folder expands to its fixtures in block order", async () => {
    const files = await expandFixturePaths([mainnetBlocksDir()]);
    expect(files).toHaveLength(46);
    const numbers = files.map((f) => Number.parseInt(f.split("/").pop() ?? "", 10));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});

function write(name: string, body: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}
