/**
 * weft's public API. Every export is named here (no `export *`), and `test/index.test.ts` snapshots the list,
 * so a change to the public surface shows in review.
 */

// API: Builder API server, relay submission, Beacon API events, builder keys
export {
  type BidListener,
  type BidRequest,
  type BidSource,
  type BlobsBundle,
  InMemoryBidSource,
  type ReadyBid,
} from "./api/bidSource.js";
export { type BlindedBlockContext, unblindBlock, verifyBlindedBlock } from "./api/blindedBlock.js";
export { type SignedBid, signBuilderBid, toExecutionPayloadHeader } from "./api/builderBid.js";
export {
  type BuildEvent,
  BuildingBidSource,
  type BuildingBidSourceOptions,
  intakeChainOf,
} from "./api/buildingBids.js";
export {
  type BuilderChain,
  type BuilderFork,
  builderForkAt,
  currentSlot,
  devnetChain,
  isCurrentSlot,
  mainnetChain,
  slotStartMs,
} from "./api/chain.js";
export { ApiError, type ApiErrorCode } from "./api/errors.js";
export {
  type BeaconEventsOptions,
  type BeaconEventsSubscription,
  subscribeBeaconEvents,
} from "./api/events/beaconEvents.js";
export {
  CHAIN_EVENT_TOPICS,
  type ChainEvent,
  type ChainEventTopic,
  encodeChainEvent,
  parseChainEvent,
} from "./api/events/chainEvent.js";
export { EventHub } from "./api/events/eventHub.js";
export { BuilderKey, generateKey, loadKeystore, loadOrCreateDevKey, saveKeystore } from "./api/keys.js";
export { OfferBook } from "./api/offers.js";
export { ProposerDuties, type ProposerDuty as SlotProposer } from "./api/proposerDuties.js";
export { type BlockPublisher, beaconNodePublisher, type PublishedBlock } from "./api/publisher.js";
export {
  BidTrace,
  createSubmitBlockRequest,
  parseRelayUrl,
  type RelayEndpoint,
  type RelaySubmission,
  SubmitBlockRequest,
  submitBlock,
} from "./api/relay/submitBlock.js";
// api/rpc: the JSON-RPC order intake (eth_sendRawTransaction, eth_sendBundle, eth_cancelBundle)
export { RpcError, type RpcRejectReason } from "./api/rpc/errors.js";
export { createRpcServer, type RpcServer, type RpcServerOptions } from "./api/rpc/server.js";
export type { AdmissionLimits, IntakeChain } from "./api/rpc/validateTransaction.js";
export { type BuilderServer, type BuilderServerOptions, createBuilderServer } from "./api/server.js";
export { type BuilderService, type BuilderServiceOptions, startBuilderService } from "./api/service.js";
export { builderDomain, computeDomain, computeSigningRoot, proposerDomain } from "./api/signing.js";
export { type Registration, ValidatorRegistry } from "./api/validatorRegistry.js";
// building: orders, the order pool, simulation, building algorithms, sealing, bidding, backtests
export {
  type BacktestOptions,
  type BacktestResult,
  backtestFixture,
  backtestJson,
} from "./building/backtest.js";
export { BestBids, type BiddingStrategy, trueValueBidding } from "./building/bidding/bidding.js";
export type { BlockBuildingAlgorithm, BuildBlockInput, BuiltBlock } from "./building/builders/algorithm.js";
export { ALGORITHM_NAMES, type AlgorithmName, algorithmByName } from "./building/builders/algorithms.js";
export { type ConflictGroupBuilderStats, conflictGroupBuilder } from "./building/builders/conflictGroupBuilder.js";
export { conflictGroups } from "./building/builders/conflictGroups.js";
export { type OrderingKey, orderingBuilder } from "./building/builders/orderingBuilder.js";
export { type CommitResult, type CommittedTx, PartialBlock } from "./building/builders/partialBlock.js";
export type { GroupResolver, GroupResult, GroupTask } from "./building/builders/resolveGroups.js";
export {
  type BuildEngine,
  BuildLoop,
  type BuildLoopEvent,
  type BuildLoopOptions,
  type SealedBuild,
} from "./building/buildLoop.js";
export { type BuildThreadOptions, startBuildThread } from "./building/buildThread.js";
export {
  type BlockAttributes,
  type BuildContext,
  createBuildContext,
  type ExecutionContext,
} from "./building/context.js";
export {
  BuildingError,
  type BuildingErrorCode,
  type OrderFailure,
  type OrderFailureCode,
} from "./building/errors.js";
export { type ExecutedTx, executeOrder, type OrderExecution } from "./building/executeOrder.js";
export { createExecutionEnv, type ExecutionEnv } from "./building/executionEnv.js";
export { type FixtureParent, fixtureParent } from "./building/fixtureParent.js";
export {
  type BundleFields,
  type BundleOrder,
  bundleHash,
  bundleOrder,
  effectiveTip,
  type Order,
  type OrderTransaction,
  type TransactionOrder,
  transactionOrder,
} from "./building/orders/order.js";
export { type AddResult, OrderPool, type OrderPoolOptions } from "./building/orders/orderPool.js";
export { buildBlockAccessList } from "./building/sealing/blockAccessList.js";
export { toExecutionPayload } from "./building/sealing/executionPayload.js";
export type { BuilderKey as PayoutKey } from "./building/sealing/payout.js";
export { type SealedBlock, type SealOptions, type SealPhases, sealBlock } from "./building/sealing/sealBlock.js";
export { CancellationToken } from "./building/simulation/cancellation.js";
export { planSimulation, type SimulationPlan } from "./building/simulation/planSimulation.js";
export type { SimulatedOrder } from "./building/simulation/simulatedOrder.js";
export {
  SimulationPool,
  type SimulationPoolOptions,
  type SimulationReport,
} from "./building/simulation/simulationPool.js";
export { type SlotBuild, SlotBuilder, type SlotBuilderOptions } from "./building/slotBuilder.js";
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
// consensus: shuffling, committees, proposers, epoch caches
export type {
  AttesterDuty,
  ProposerDuty,
} from "./consensus/cache/duties.js";
export { computeEpochShuffling, type EpochShuffling, getBeaconCommittee } from "./consensus/cache/epochShuffling.js";
export {
  inThreadComputer,
  type Readiness,
  ShufflingCache,
  type ShufflingCacheOptions,
  type ShufflingCacheStats,
  type ShufflingComputer,
  type ShufflingFork,
} from "./consensus/cache/shufflingCache.js";
export { ConsensusError, type ConsensusErrorCode } from "./consensus/errors.js";
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
export { type ConsensusPreset, PRESETS, type PresetName } from "./consensus/params.js";
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
export { computeShuffledIndex } from "./consensus/shuffle/computeShuffledIndex.js";
export { ShufflePool, type ShufflePoolOptions } from "./consensus/shuffle/pool.js";
export { shuffleList, unshuffleList } from "./consensus/shuffle/shuffleList.js";
export { computeCommittee, getCommitteeCountPerSlot } from "./consensus/util/committee.js";
export {
  computeProposerIndex,
  computeProposerIndices,
  getBeaconProposerIndices,
  initializeProposerLookahead,
  processProposerLookahead,
} from "./consensus/util/proposer.js";
export { getSeed } from "./consensus/util/seed.js";
export { type ShufflingState, shufflingStateFromBeaconState, type ValidatorColumns } from "./consensus/util/state.js";
export { getActiveValidatorIndices } from "./consensus/util/validator.js";
// devnet/workloads: generated blocks (transfers, ERC20, Uniswap V2, hash actors, a mix) with their pre-state
export {
  DEFAULT_CONFLICT_RATE,
  generateWorkload,
  WORKLOAD_KINDS,
  type Workload,
  WorkloadError,
  type WorkloadErrorCode,
  type WorkloadKind,
  type WorkloadOptions,
} from "./devnet/workloads/index.js";
export { decodeBlock, loadKzg, mainnetCommon } from "./execution/chain.js";
export { ecrecover, keccak256, nativeCrypto, weftCustomCrypto } from "./execution/crypto/native.js";
export type { BlockRunResult, EngineName, PreparedBlock, ReplayEngine } from "./execution/engine.js";
export { ENGINE_NAMES, engineByName } from "./execution/engines.js";
export { ExecutionError, type ExecutionErrorCode } from "./execution/errors.js";
export { tuneEvm } from "./execution/evm/tuning.js";
export {
  type BlockExecution,
  type ExecuteBlockOptions,
  type ExecutedTransaction,
  executeBlock,
  type InvalidTransaction,
  recoverSenders,
} from "./execution/executeBlock.js";
export { type BlockFixture, expandFixturePaths, type FixtureAccount, loadFixture } from "./execution/fixture.js";
export { BYZANTIUM_BLOCK, type ReplayResult, replayFile } from "./execution/replay.js";
export {
  ACCOUNT_BALANCE,
  ACCOUNT_CODE,
  ACCOUNT_EXISTS,
  ACCOUNT_NONCE,
  type AccessSet,
  conflicts,
  fieldNames,
  type TxAccess,
} from "./execution/state/access.js";
export { stateFromFixture } from "./execution/state/fromFixture.js";
export { type AccountRecord, StateLayer } from "./execution/state/layer.js";
export { WeftStateManager, type WeftStateManagerOptions } from "./execution/state/stateManager.js";
export { ParentRoots, stateRoot } from "./execution/state/stateRoot.js";
export { orderedTrieRoot, type TrieEntry, trieRoot } from "./execution/state/trieRoot.js";
export { stockEngine } from "./execution/stock.js";
export { createWeftEngine, type WeftEngineOptions, weftEngine } from "./execution/weftEngine.js";
export { WeftError, type WeftErrorOptions } from "./shared/errors.js";
export { fromQuantity, type Hex, isHex, padHex, toQuantity } from "./shared/hex.js";
export { createLogger, type Logger, logger, type SlotClock, sinceSlotStartMs, slotLogger } from "./shared/logger.js";
export { collectProcessMetrics, registry } from "./shared/metrics.js";
export { mainnetBlocksDir, repositoryRoot, sharedDir, sharedPath } from "./shared/sharedDir.js";
