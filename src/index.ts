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
export { buildFixturePayload, FixtureBidSource, type FixturePayload } from "./api/fixture/fixtureBids.js";
export { BuilderKey, generateKey, loadKeystore, loadOrCreateDevKey, saveKeystore } from "./api/keys.js";
export { OfferBook } from "./api/offers.js";
export { ProposerDuties, type ProposerDuty } from "./api/proposerDuties.js";
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
export { type BuilderServer, type BuilderServerOptions, createBuilderServer } from "./api/server.js";
export { type BuilderService, type BuilderServiceOptions, startBuilderService } from "./api/service.js";
export { builderDomain, computeDomain, computeSigningRoot, proposerDomain } from "./api/signing.js";
export { type Registration, ValidatorRegistry } from "./api/validatorRegistry.js";

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
export { orderedTrieRoot, type TrieEntry, trieRoot } from "./execution/state/trieRoot.js";
export { stockEngine } from "./execution/stock.js";
export { createWeftEngine, type WeftEngineOptions, weftEngine } from "./execution/weftEngine.js";
export { WeftError, type WeftErrorOptions } from "./shared/errors.js";
export { fromQuantity, type Hex, isHex, padHex, toQuantity } from "./shared/hex.js";
export { createLogger, type Logger, logger, type SlotClock, sinceSlotStartMs, slotLogger } from "./shared/logger.js";
export { collectProcessMetrics, registry } from "./shared/metrics.js";
export { mainnetBlocksDir, repositoryRoot, sharedDir, sharedPath } from "./shared/sharedDir.js";
