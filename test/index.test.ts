import { expect, test } from "vitest";
import * as weft from "../src/index.js";

test("the public API is exactly this list", () => {
  expect(Object.keys(weft).sort()).toMatchInlineSnapshot(`
    [
      "BYZANTIUM_BLOCK",
      "DEFAULT_TIP_MODEL",
      "ENGINE_NAMES",
      "ExecutionError",
      "ForkChoice",
      "ForkChoiceError",
      "MAINNET_FORK_CHOICE_CONFIG",
      "NO_VOTE",
      "WeftError",
      "collectProcessMetrics",
      "computeDeltas",
      "createLogger",
      "decodeBlock",
      "engineByName",
      "expandFixturePaths",
      "fromQuantity",
      "getTipProbabilities",
      "isHex",
      "loadFixture",
      "loadKzg",
      "loadScenario",
      "logger",
      "mainnetBlocksDir",
      "mainnetCommon",
      "normalizeRoot",
      "padHex",
      "parseScenario",
      "registry",
      "replayFile",
      "repositoryRoot",
      "runScenario",
      "sharedDir",
      "sharedPath",
      "sinceSlotStartMs",
      "slotLogger",
      "stockEngine",
      "toQuantity",
    ]
  `);
});
