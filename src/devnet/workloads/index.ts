/**
 * Workload generators: blocks of ether transfers, ERC20 transfers, Uniswap V2 swaps (many pools or one hot
 * pool), cumulative-hash actor calls (one instance or many) and a mix, with a conflict rate and a seed, each
 * with the pre-state to execute them on. `weft bench-exec` and the devnet's order flow use them; the building
 * blocks below (genesis builder, contracts, calldata encoders, planners, sealer) let a caller compose others.
 */
export { addressOfKey, deriveAddress, deriveBytes, deriveSigner, type Signer, signHash } from "./accounts.js";
export { HASH_ACTOR_PROGRAM, HASH_ACTOR_RUNTIME, nextActorHash } from "./contracts/hashActor.js";
export { encodeSwap, SWAPPER_ABI, SWAPPER_PROGRAM, SWAPPER_RUNTIME, type SwapCall } from "./contracts/swapper.js";
export {
  DEPLOYER_TOKENS,
  domainSeparator,
  ERC20_ABI,
  ERC20_ARTIFACT,
  Erc20Genesis,
  encodeTransfer,
  FACTORY_ABI,
  FACTORY_ARTIFACT,
  MINIMUM_LIQUIDITY,
  newToken,
  PAIR_ABI,
  PAIR_ARTIFACT,
  PAIR_INIT_CODE_HASH,
  type Pool,
  UniswapV2Genesis,
} from "./contracts/uniswapV2.js";
export { ERC20_TRANSFER_GAS_LIMIT, planErc20Transfers } from "./erc20.js";
export { WorkloadError, type WorkloadErrorCode } from "./errors.js";
export { assemble, deployCode } from "./evmAssembler.js";
export {
  DEFAULT_CONFLICT_RATE,
  generateWorkload,
  MAX_WORKLOAD_TXS,
  WORKLOAD_KINDS,
  type Workload,
  type WorkloadKind,
  type WorkloadOptions,
} from "./generateWorkload.js";
export {
  create2Address,
  createAddress,
  ETHER,
  GENESIS_TIMESTAMP,
  GenesisBuilder,
  mappingSlot,
  WORKLOAD_BASE_FEE,
  WORKLOAD_BLOCK_NUMBER,
  WORKLOAD_CHAIN_ID,
  WORKLOAD_HARDFORK,
  WORKLOAD_TIMESTAMP,
  word,
  workloadCommon,
} from "./genesis.js";
export { HASH_ACTOR_GAS_LIMIT, planHashActorCalls } from "./hashActor.js";
export { MIXED_SHARES, mixedCounts, planMixed } from "./mixed.js";
export { hotCount, hotEntities, type TxIntent, type WorkloadPart } from "./plan.js";
export { Random } from "./random.js";
export { MIN_BLOCK_GAS_LIMIT, type SealedBlock, sealBlock, signingHash } from "./sealBlock.js";
export { HOT_ACCOUNTS, planTransfers, TRANSFER_GAS_LIMIT } from "./transfers.js";
export { planSwaps, SWAP_GAS_LIMIT, tokenCount } from "./uniswap.js";
