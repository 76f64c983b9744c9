/**
 * weft's public API. Every export is named here (no `export *`), and `test/index.test.ts` snapshots the list,
 * so a change to the public surface shows in review.
 */

// api/rpc: the JSON-RPC order intake (eth_sendRawTransaction, eth_sendBundle, eth_cancelBundle)
export { RpcError, type RpcRejectReason } from "./api/rpc/errors.js";
export { createRpcServer, type RpcServer, type RpcServerOptions } from "./api/rpc/server.js";
export type { AdmissionLimits, IntakeChain } from "./api/rpc/validateTransaction.js";
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
export type { BuilderKey } from "./building/sealing/payout.js";
export { type SealedBlock, type SealOptions, type SealPhases, sealBlock } from "./building/sealing/sealBlock.js";
export { ParentRoots, stateRoot } from "./building/sealing/stateRoot.js";
export { CancellationToken } from "./building/simulation/cancellation.js";
export { planSimulation, type SimulationPlan } from "./building/simulation/planSimulation.js";
export type { SimulatedOrder } from "./building/simulation/simulatedOrder.js";
export {
  SimulationPool,
  type SimulationPoolOptions,
  type SimulationReport,
} from "./building/simulation/simulationPool.js";
export { type SlotBuild, SlotBuilder, type SlotBuilderOptions } from "./building/slotBuilder.js";
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
export { orderedTrieRoot, type TrieEntry, trieRoot } from "./execution/state/trieRoot.js";
export { stockEngine } from "./execution/stock.js";
export { createWeftEngine, type WeftEngineOptions, weftEngine } from "./execution/weftEngine.js";
export { WeftError, type WeftErrorOptions } from "./shared/errors.js";
export { fromQuantity, type Hex, isHex, padHex, toQuantity } from "./shared/hex.js";
export { createLogger, type Logger, logger, type SlotClock, sinceSlotStartMs, slotLogger } from "./shared/logger.js";
export { collectProcessMetrics, registry } from "./shared/metrics.js";
export { mainnetBlocksDir, repositoryRoot, sharedDir, sharedPath } from "./shared/sharedDir.js";
