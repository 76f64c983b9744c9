/**
 * The entry point: a block of one workload kind, with its pre-state, deterministic in its options.
 *
 *   validate options → plan the kind's transactions on a fresh genesis (contracts, balances, hot spots)
 *   → seal: order, nonce, fund, sign, header → the base layer ready to execute on.
 *
 * Same options, same bytes: keys, amounts, choices and order all come from the seed (see `random.ts`,
 * `accounts.ts`), and nothing reads the clock or the environment.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { StateLayer } from "../../execution/state/layer.js";
import { planErc20Transfers } from "./erc20.js";
import { WorkloadError } from "./errors.js";
import { GenesisBuilder, workloadCommon } from "./genesis.js";
import { planHashActorCalls } from "./hashActor.js";
import { planMixed } from "./mixed.js";
import type { WorkloadPart } from "./plan.js";
import { sealBlock } from "./sealBlock.js";
import { planTransfers } from "./transfers.js";
import { planSwaps } from "./uniswap.js";

export type WorkloadKind =
  | "transfers"
  | "erc20"
  | "uniswap-many"
  | "uniswap-hot"
  | "hash-actor"
  | "hash-actor-many"
  | "mixed";

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  "transfers",
  "erc20",
  "uniswap-many",
  "uniswap-hot",
  "hash-actor",
  "hash-actor-many",
  "mixed",
];

/**
 * The conflict rate a kind has when none is given: none for the independent kinds, all for the hot pool and the
 * single hash actor, and 20 % for the mix (a middle value between the extremes, not a measured mainnet figure).
 */
export const DEFAULT_CONFLICT_RATE: Readonly<Record<WorkloadKind, number>> = {
  transfers: 0,
  erc20: 0,
  "uniswap-many": 0,
  "uniswap-hot": 1,
  "hash-actor": 1,
  "hash-actor-many": 0,
  mixed: 0.2,
};

/** The most transactions a workload block may have (~1.25 billion gas of swaps at most: a bound on memory). */
export const MAX_WORKLOAD_TXS = 1_000_000;

export interface WorkloadOptions {
  kind: WorkloadKind;
  /** Transactions in the block, 1 to `MAX_WORKLOAD_TXS`. */
  txs: number;
  /** Default 1; a non-negative safe integer. */
  seed?: number;
  /**
   * The fraction of transactions that touch shared state with another transaction, 0 to 1; default per kind
   * (`DEFAULT_CONFLICT_RATE`). Rounded to whole transactions, and never exactly one.
   */
  conflictRate?: number;
}

export interface Workload {
  kind: WorkloadKind;
  seed: number;
  conflictRate: number;
  /** Mainnet rules at Prague, with weft's native crypto. */
  common: Common;
  /** The pre-state (funded senders, contracts and their storage). Execute on a layer over it; do not write it. */
  base: StateLayer;
  /** The block: header context and the transactions. */
  block: Block;
  /** The signed transactions in block order (the block's own). */
  transactions: TypedTransaction[];
  /** One line: "5000 ERC20 transfers, 10% conflicts (500 to 4 hot recipients), seed 1". */
  description: string;
}

const PLANNERS: Readonly<Record<WorkloadKind, (genesis: GenesisBuilder, count: number, rate: number) => WorkloadPart>> =
  {
    transfers: planTransfers,
    erc20: planErc20Transfers,
    "uniswap-many": planSwaps,
    "uniswap-hot": planSwaps,
    "hash-actor": planHashActorCalls,
    "hash-actor-many": planHashActorCalls,
    mixed: planMixed,
  };

export async function generateWorkload(options: WorkloadOptions): Promise<Workload> {
  const { kind, txs } = options;
  if (!WORKLOAD_KINDS.includes(kind)) {
    throw new WorkloadError("INVALID_OPTIONS", `unknown workload kind "${String(kind)}"`, {
      details: `one of ${WORKLOAD_KINDS.join(", ")}`,
    });
  }
  if (!Number.isInteger(txs) || txs < 1 || txs > MAX_WORKLOAD_TXS) {
    throw new WorkloadError(
      "INVALID_OPTIONS",
      `the transaction count must be an integer from 1 to ${MAX_WORKLOAD_TXS}`,
      {
        details: `got ${txs}`,
      },
    );
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new WorkloadError("INVALID_OPTIONS", "the seed must be a non-negative integer", { details: `got ${seed}` });
  }
  const conflictRate = options.conflictRate ?? DEFAULT_CONFLICT_RATE[kind];
  if (!(conflictRate >= 0 && conflictRate <= 1)) {
    throw new WorkloadError("INVALID_OPTIONS", "the conflict rate must be a fraction from 0 to 1", {
      details: `got ${conflictRate}`,
    });
  }

  const common = workloadCommon();
  const genesis = new GenesisBuilder(seed);
  const part = PLANNERS[kind](genesis, txs, conflictRate);
  const { block, transactions } = sealBlock(genesis, common, part.intents);
  const base = genesis.finish();
  const percent = Number((conflictRate * 100).toFixed(2));
  const conflicts = part.conflicting > 0 ? `${percent}% conflicts (${part.hotSpot})` : `${percent}% conflicts`;
  return {
    kind,
    seed,
    conflictRate,
    common,
    base,
    block,
    transactions,
    description: `${[txs, part.noun, part.setting].filter((s) => s !== "").join(" ")}, ${conflicts}, seed ${seed}`,
  };
}
