import { expect, test } from "vitest";
import * as weft from "../src/index.js";

test("the public API is exactly this list", () => {
  expect(Object.keys(weft).sort()).toMatchInlineSnapshot(`
    [
      "BYZANTIUM_BLOCK",
      "ENGINE_NAMES",
      "ExecutionError",
      "WeftError",
      "collectProcessMetrics",
      "createLogger",
      "decodeBlock",
      "engineByName",
      "expandFixturePaths",
      "fromQuantity",
      "isHex",
      "loadFixture",
      "loadKzg",
      "logger",
      "mainnetBlocksDir",
      "mainnetCommon",
      "padHex",
      "registry",
      "replayFile",
      "repositoryRoot",
      "sharedDir",
      "sharedPath",
      "sinceSlotStartMs",
      "slotLogger",
      "stockEngine",
      "toQuantity",
    ]
  `);
});
