/**
 * weft's public API. Every export is named here (no `export *`), and `test/index.test.ts` snapshots the list,
 * so a change to the public surface shows in review.
 */

export { decodeBlock, loadKzg, mainnetCommon } from "./execution/chain.js";
export type { BlockRunResult, EngineName, PreparedBlock, ReplayEngine } from "./execution/engine.js";
export { ENGINE_NAMES, engineByName } from "./execution/engines.js";
export { ExecutionError, type ExecutionErrorCode } from "./execution/errors.js";
export { type BlockFixture, expandFixturePaths, type FixtureAccount, loadFixture } from "./execution/fixture.js";
export { BYZANTIUM_BLOCK, type ReplayResult, replayFile } from "./execution/replay.js";
export { stockEngine } from "./execution/stock.js";
export { WeftError, type WeftErrorOptions } from "./shared/errors.js";
export { fromQuantity, type Hex, isHex, padHex, toQuantity } from "./shared/hex.js";
export { createLogger, type Logger, logger, type SlotClock, sinceSlotStartMs, slotLogger } from "./shared/logger.js";
export { collectProcessMetrics, registry } from "./shared/metrics.js";
export { mainnetBlocksDir, repositoryRoot, sharedDir, sharedPath } from "./shared/sharedDir.js";
