/**
 * Sealing: a filled block becomes an execution payload a proposer can sign.
 *
 *   payout: when the coinbase (the builder) is not the proposer's fee recipient, a last transaction pays the
 *     recipient what the bidding strategy gives for the block's value (its cost measured by a dry run for a
 *     contract recipient); the block's value stays what the orders earned
 *   → finalization on a layer of its own: withdrawals (EIP-4895), then the execution requests (EIP-7685)
 *   → roots: state (from the parent's cached leaves, `stateRoot.ts`), transactions, receipts, withdrawals,
 *     requests hash; logs bloom; gas
 *   → the header (ethereumjs computes the block hash: keccak256 of its RLP), the block, the Electra/Fulu
 *     `ExecutionPayload` and `ExecutionRequests`; the EIP-7928 block access list on demand (`accessList()`).
 *
 * A block that cannot be sealed (the payout does not go through, no key for a coinbase that must pay) is a
 * `BuildingError` with code `SEAL_FAILED`; the partial block is consumed either way.
 */
import { Block, type BlockHeader, createBlockHeader } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { BlockLevelAccessList, CLRequest, CLRequestType } from "@ethereumjs/util";
import type { electra } from "@lodestar/types";
import { finalizeBlock } from "../../execution/executeBlock.js";
import { diffOf, type StateDiff } from "../../execution/parallel/stateDiff.js";
import { accumulateRequests, decodeRequests } from "../../execution/requests.js";
import { StateLayer } from "../../execution/state/layer.js";
import { type ParentRoots, stateRoot } from "../../execution/state/stateRoot.js";
import { CachedTrie } from "../../execution/state/trieRoot.js";
import { type BiddingStrategy, trueValueBidding } from "../bidding/bidding.js";
import type { PartialBlock } from "../builders/partialBlock.js";
import { type BuildContext, headerFields } from "../context.js";
import { BuildingError } from "../errors.js";
import { executeOrder } from "../executeOrder.js";
import { transactionOrder } from "../orders/order.js";
import { yieldIfDue } from "../yieldToEventLoop.js";
import { buildBlockAccessList } from "./blockAccessList.js";
import { toExecutionPayload } from "./executionPayload.js";
import { type BuilderKey, payoutTransaction, recipientHasCode, TRANSFER_GAS } from "./payout.js";

export interface SealOptions {
  /** Cached leaves of the parent state (one per parent, shared by every seal on it). */
  roots: ParentRoots;
  /** Signs the payout; needed when the coinbase is not the fee recipient (and must be the coinbase's key). */
  builder?: BuilderKey;
  /** How much of the value goes to the proposer (default: all of it, less the payout's gas). */
  bidding?: BiddingStrategy;
}

export interface SealedBlock {
  block: Block;
  header: BlockHeader;
  blockHash: Uint8Array;
  /** What the orders earned the coinbase (before the payout). */
  value: bigint;
  /** Paid to the proposer's fee recipient (by the payout transaction, or as the coinbase itself). */
  payout: bigint;
  payoutTx: TypedTransaction | undefined;
  gasUsed: bigint;
  executionPayload: electra.ExecutionPayload;
  executionRequests: electra.ExecutionRequests;
  /**
   * The EIP-7928 block access list and its hash (keccak256 of its RLP), made on first call: an Electra/Fulu
   * payload does not carry it (Amsterdam's header will), so it stays off the seal's critical path.
   */
  accessList(): { list: BlockLevelAccessList; hash: Uint8Array };
  /** Sealing time, milliseconds (turns given to the event loop left out), and its phases. */
  ms: number;
  phases: SealPhases;
}

/** Milliseconds of each phase of a seal. */
export interface SealPhases {
  payout: number;
  finalize: number;
  stateRoot: number;
  /** Transactions, receipts and withdrawals roots, logs bloom. */
  roots: number;
  /** Header, block hash and execution payload. */
  header: number;
}

export async function sealBlock(ctx: BuildContext, partial: PartialBlock, options: SealOptions): Promise<SealedBlock> {
  const start = performance.now();
  const { common, attributes } = ctx;
  const value = partial.value;
  const bidding = options.bidding ?? trueValueBidding();
  const coinbaseStart = ctx.topOfBlock.account(ctx.coinbaseKey)?.balance ?? 0n;
  let mark = start;
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  // Between phases the event loop may get a turn (`yieldToEventLoop.ts`); the wait counts in no phase.
  let waited = 0;
  const turn = async () => {
    const pending = yieldIfDue();
    if (pending === undefined) return;
    const before = performance.now();
    await pending;
    waited += performance.now() - before;
    mark = performance.now();
  };

  let payout = value;
  let payoutTx: TypedTransaction | undefined;
  if (!attributes.feeRecipient.equals(attributes.coinbase)) {
    const builder = options.builder;
    if (builder === undefined || !builder.address.equals(attributes.coinbase)) {
      throw new BuildingError(
        "SEAL_FAILED",
        "the coinbase is not the fee recipient and no key of the coinbase was given",
        {
          data: { coinbase: attributes.coinbase.toString(), feeRecipient: attributes.feeRecipient.toString() },
        },
      );
    }
    const recipient = attributes.feeRecipient;
    let cost = TRANSFER_GAS * ctx.baseFee;
    if (recipientHasCode(partial, recipient)) cost = await dryRunCost(ctx, partial, builder, value);
    payout = bidding.payout(value, cost);
    payoutTx = payoutTransaction(ctx, partial, builder, recipient, payout);
    partial.releaseReserve();
    const committed = await partial.commit(transactionOrder(payoutTx, -1));
    if (!committed.ok) {
      throw new BuildingError("SEAL_FAILED", `the payout of ${payout} wei to ${recipient.toString()} failed`, {
        details: committed.failure.message,
      });
    }
  }

  const payoutMs = lap();

  // Finalization: withdrawals, then the requests' system calls, on a layer of their own (access index n + 1).
  const env = partial.env;
  const finalLayer = new StateLayer(partial.layer);
  env.state.layer = finalLayer;
  await finalizeBlock(env.vm, env.state, ctx.block);
  let requests: { requests: CLRequest<CLRequestType>[]; requestsHash: Uint8Array } | undefined;
  try {
    requests = await accumulateRequests(
      env.vm,
      env.state,
      partial.txs.map((t) => t.receipt),
    );
  } catch (cause) {
    throw new BuildingError("SEAL_FAILED", `cannot make the execution requests of block ${attributes.number}`, {
      cause,
    });
  }
  const executionRequests = decodeRequests(requests?.requests ?? []);
  env.state.layer = partial.layer;
  const finalDiff: StateDiff = diffOf(finalLayer);

  const finalizeMs = lap();
  await turn();
  const root = stateRoot(finalLayer, options.roots);
  const stateRootMs = lap();
  await turn();

  const transactions = partial.transactions();
  const withdrawals = attributes.withdrawals ?? [];
  const fields: Record<string, unknown> = {
    ...headerFields(attributes),
    stateRoot: root,
    transactionsTrie: CachedTrie.orderedRoot(partial.txs.map((t) => t.raw)),
    receiptTrie: partial.receiptsRoot(),
    logsBloom: partial.logsBloom(),
    gasUsed: partial.gasUsed,
  };
  if (common.isActivatedEIP(4895)) {
    fields.withdrawalsRoot = CachedTrie.orderedRoot(withdrawals.map((w) => RLP.encode(w.raw())));
  }
  if (common.isActivatedEIP(4844)) fields.blobGasUsed = partial.blobGasUsed;
  if (requests !== undefined) fields.requestsHash = requests.requestsHash;
  const rootsMs = lap();
  let header: BlockHeader;
  try {
    header = createBlockHeader(fields, { common, skipConsensusFormatValidation: true });
  } catch (cause) {
    throw new BuildingError("SEAL_FAILED", `cannot make the header of block ${attributes.number}`, { cause });
  }
  const block = new Block(header, transactions, [], common.isActivatedEIP(4895) ? withdrawals : undefined, {
    common,
    skipConsensusFormatValidation: true,
  });

  const blockHash = header.hash();
  const executionPayload = toExecutionPayload(
    block,
    partial.txs.map((t) => t.raw),
  );
  const headerMs = lap();

  // The request predeploys the system calls ran on (absent ones are skipped, as ethereumjs does).
  const finalAccessed: string[] = [];
  for (const [eip, param] of [
    [7002, "withdrawalRequestPredeployAddress"],
    [7251, "consolidationRequestPredeployAddress"],
  ] as const) {
    // The predeploys' addresses are parameters of Prague: asked for before it, Common throws.
    if (!common.isActivatedEIP(eip)) continue;
    const key = predeployKey(common.param(param));
    if (finalLayer.account(key) !== null) finalAccessed.push(key);
  }
  let accessList: { list: BlockLevelAccessList; hash: Uint8Array } | undefined;
  const txs = [...partial.txs];

  return {
    block,
    header,
    blockHash,
    value,
    payout,
    payoutTx,
    gasUsed: partial.gasUsed,
    executionPayload,
    executionRequests,
    accessList() {
      if (accessList === undefined) {
        const list = buildBlockAccessList({
          common,
          coinbaseKey: ctx.coinbaseKey,
          coinbaseStart,
          systemDiff: ctx.systemDiff,
          txs,
          finalDiff,
          finalAccessed,
        });
        accessList = { list, hash: list.hash() };
      }
      return accessList;
    },
    ms: performance.now() - start - waited,
    phases: {
      payout: payoutMs,
      finalize: finalizeMs,
      stateRoot: stateRootMs,
      roots: rootsMs,
      header: headerMs,
    },
  };
}

/** The payout's gas cost to a contract recipient, measured on a scratch layer (nothing of it is kept). */
async function dryRunCost(
  ctx: BuildContext,
  partial: PartialBlock,
  builder: BuilderKey,
  value: bigint,
): Promise<bigint> {
  const tx = payoutTransaction(ctx, partial, builder, ctx.attributes.feeRecipient, value / 2n);
  const order = transactionOrder(tx, -1);
  const outcome = await executeOrder(partial.env, ctx, order, new StateLayer(partial.layer), {
    blockGasUsed: partial.gasUsed,
  });
  partial.env.state.layer = partial.layer;
  if (!outcome.ok) {
    throw new BuildingError("SEAL_FAILED", `the payout to ${ctx.attributes.feeRecipient.toString()} fails`, {
      details: outcome.failure.message,
    });
  }
  return outcome.execution.gasUsed * ctx.baseFee;
}

function predeployKey(address: bigint): string {
  return address.toString(16).padStart(40, "0");
}
