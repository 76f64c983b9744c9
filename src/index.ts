/**
 * weft's public API. Every export is named here (no `export *`), and `test/index.test.ts` snapshots the list,
 * so a change to the public surface shows in review.
 */

// consensus/forkChoice: proto-array LMD-GHOST, streaming votes, tip probabilities, scenarios
export {
  type ComputeDeltasParameters,
  computeDeltas,
  NO_VOTE,
} from "./consensus/forkChoice/computeDeltas.js";
export { ForkChoiceError, type ForkChoiceErrorCode } from "./consensus/forkChoice/errors.js";
export {
  type AnchorInput,
  type CreateForkChoiceParameters,
  ForkChoice,
  type ForkChoiceSnapshot,
  normalizeRoot,
} from "./consensus/forkChoice/forkChoice.js";
export type { ProtoBlock } from "./consensus/forkChoice/protoArray.js";
export {
  loadScenario,
  parseScenario,
  runScenario,
  type Scenario,
  type ScenarioStep,
  type ScenarioStepResult,
} from "./consensus/forkChoice/scenario.js";
export {
  DEFAULT_TIP_MODEL,
  getTipProbabilities,
  type Tip,
  type TipModelParameters,
} from "./consensus/forkChoice/tipProbabilities.js";
export {
  type AttestationInput,
  type AttestationResult,
  type BlockInput,
  type Checkpoint,
  type ForkChoiceConfig,
  MAINNET_FORK_CHOICE_CONFIG,
  type RootHex,
} from "./consensus/forkChoice/types.js";
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
