/**
 * weft's public API. Every export is named here (no `export *`), and `test/index.test.ts` snapshots the list,
 * so a change to the public surface shows in review.
 */

// Consensus: attestation pool and packing (src/consensus/attestations), epoch rewards (src/consensus/rewards).
export {
  AttestationPool,
  type AttestationPoolOptions,
  type CommitteeLookup,
  type MergedAggregate,
  mergeDisjointAggregates,
  type PackingContext,
  type PoolPackingInstance,
} from "./consensus/attestations/attestationPool.js";
export {
  aggregateSignaturesNoble,
  computeOnChainAggregate,
  getCommitteeIndices,
  type SignatureAggregator,
} from "./consensus/attestations/computeOnChainAggregate.js";
export { AttestationError, type AttestationErrorCode } from "./consensus/attestations/errors.js";
export { evaluateSelection } from "./consensus/attestations/evaluateSelection.js";
export {
  type AttestationCorrectness,
  flagWeightSum,
  getAttestationParticipationFlagIndices,
  proposerRewardNumerator,
} from "./consensus/attestations/getAttestationParticipationFlagIndices.js";
export {
  PACKING_ALGORITHMS,
  type PackAttestationsOptions,
  packAttestations,
} from "./consensus/attestations/packAttestations.js";
export { type PackExactOptions, packExact } from "./consensus/attestations/packExact.js";
export { packGreedy } from "./consensus/attestations/packGreedy.js";
export { loadHighsSolver, packIlp } from "./consensus/attestations/packIlp.js";
export {
  type ElectraSelection,
  type PackingAlgorithmName,
  type PackingCommittee,
  type PackingGroup,
  type PackingInstance,
  type PackingMode,
  type PackingResult,
  type PackingSelection,
  type Phase0Selection,
  parsePackingInstance,
} from "./consensus/attestations/packingInstance.js";
export { RewardsError, type RewardsErrorCode } from "./consensus/rewards/errors.js";
export { getInclusionDelayDeltas } from "./consensus/rewards/getInclusionDelayDeltas.js";
export {
  getBaseRewardPerIncrement,
  integerSquareRoot,
  processEpochRewards,
} from "./consensus/rewards/processEpochRewards.js";
export { assertRewardsState, type EpochRewardsResult, type RewardsState } from "./consensus/rewards/rewardsState.js";
export {
  getInclusionDelayDeltasSpec,
  type PendingAttestation,
  processEpochRewardsSpec,
} from "./consensus/rewards/spec.js";
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
