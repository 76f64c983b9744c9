/**
 * Executes one order on a state layer, all or nothing: what simulation does on the top-of-block state and what a
 * candidate block does when it cannot replay a simulation.
 *
 *   for each transaction: a layer of its own over the order's → runTx with read/write recording
 *     invalid (nonce, balance, gas): dropped if the bundle allows it, else the order fails
 *     reverted: kept if it may revert, else the order fails (bundle revert protection)
 *     → its state diff (coinbase excluded: the coinbase's change is a delta), receipt, gas, read and write sets
 *     → merged into the order's layer
 *   → the coinbase's profit, and whether the result can be replayed elsewhere (`replayable`, see below).
 *
 * The caller owns the order's layer: it merges it into the block when the order is taken, or drops it (O(1)).
 *
 * Replayable: the execution can be applied to another state as diffs, without executing again, as long as
 * nothing it read differs there (the builder checks that against what the block has written). The coinbase is
 * the exception that is handled here: a transaction may pay it blindly (its change becomes a delta), but one
 * that observed its balance, was sent by it, or changed its nonce or code, or an order that met a coinbase
 * account that does not exist yet (a transfer to an empty account costs 25,000 gas more), is not replayable; nor
 * is anything before Byzantium, whose receipts carry the state root of the block at their position.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import { KECCAK256_NULL } from "@ethereumjs/util";
import { runTx, type TxReceipt } from "@ethereumjs/vm";
import { diffOf, type StateDiff } from "../execution/parallel/stateDiff.js";
import { type AccessSet, addAccount, addSlot, emptyAccessSet } from "../execution/state/access.js";
import { type AccountRecord, emptyAccount, StateLayer } from "../execution/state/layer.js";
import { describeCause } from "../shared/errors.js";
import type { ExecutionContext } from "./context.js";
import type { OrderFailure } from "./errors.js";
import type { ExecutionEnv } from "./executionEnv.js";

/** What executing an order needs of each transaction (an `OrderTransaction` has it; so does a worker's copy). */
export interface ExecutableTx {
  readonly tx: TypedTransaction;
  readonly hash: string;
  readonly sender: string;
  readonly canRevert: boolean;
  readonly canDrop: boolean;
}

export interface ExecutedTx {
  hash: string;
  /** Position of the transaction in its order. */
  position: number;
  gasUsed: bigint;
  blobGasUsed: bigint;
  receipt: TxReceipt;
  reverted: boolean;
  /** The values the transaction left (the coinbase excluded). */
  diff: StateDiff;
  /** The coinbase's balance change from this transaction (fees and payments). */
  coinbaseDelta: bigint;
  /** The coinbase's nonce after the transaction, when the transaction changed it (the coinbase sent it). */
  coinbaseNonce?: bigint;
  reads: AccessSet;
  writes: AccessSet;
}

export interface OrderExecution {
  orderId: string;
  /** The transactions that went in (a dropped one is absent). */
  txs: ExecutedTx[];
  gasUsed: bigint;
  blobGasUsed: bigint;
  /** The coinbase's balance change: what the order is worth to the block. */
  profit: bigint;
  /** Union of the transactions' read sets and of their write sets (the coinbase excluded). */
  reads: AccessSet;
  writes: AccessSet;
  /** The result may be applied to another state as diffs when nothing it read differs there. */
  replayable: boolean;
}

export type OrderOutcome = { ok: true; execution: OrderExecution } | { ok: false; failure: OrderFailure };

export interface ExecuteOrderOptions {
  /** Gas the block has used before this order (runTx checks each gas limit against what is left). */
  blockGasUsed?: bigint;
}

export async function executeOrder(
  env: ExecutionEnv,
  ctx: ExecutionContext,
  order: { id: string; txs: readonly ExecutableTx[] },
  layer: StateLayer,
  options: ExecuteOrderOptions = {},
): Promise<OrderOutcome> {
  const cb = ctx.coinbaseKey;
  const startCoinbase = layer.account(cb);
  const coinbaseExists = startCoinbase !== null && !isEmpty(startCoinbase);
  const txs: ExecutedTx[] = [];
  const reads = emptyAccessSet();
  const writes = emptyAccessSet();
  // Before Byzantium a receipt holds the state root after its transaction: only right where it executed.
  let replayable = ctx.common.gteHardfork("byzantium");
  let gasUsed = 0n;
  let blobGasUsed = 0n;
  const blockGasUsed = options.blockGasUsed ?? 0n;

  for (let position = 0; position < order.txs.length; position++) {
    const t = order.txs[position] as ExecutableTx;
    const txLayer = new StateLayer(layer);
    const before = txLayer.account(cb);
    env.state.layer = txLayer;
    env.state.beginTx();
    env.coinbaseObserved = false;
    let result: Awaited<ReturnType<typeof runTx>>;
    try {
      result = await runTx(env.vm, {
        tx: t.tx,
        block: ctx.block,
        skipHardForkValidation: true,
        blockGasUsed: blockGasUsed + gasUsed,
      });
    } catch (cause) {
      env.state.endTx();
      env.state.layer = layer;
      if (t.canDrop) continue;
      return {
        ok: false,
        failure: { code: "INVALID_TX", txIndex: position, message: describeCause(cause) ?? "invalid" },
      };
    }
    const access = env.state.endTx();
    env.state.layer = layer;
    const reverted = result.execResult.exceptionError !== undefined;
    if (reverted && !t.canRevert) {
      return {
        ok: false,
        failure: {
          code: "REVERTED",
          txIndex: position,
          message: `transaction ${t.hash} reverted (${result.execResult.exceptionError?.error ?? "revert"}) and the bundle does not allow it`,
        },
      };
    }
    const after = txLayer.account(cb);
    const diff = diffOf(txLayer);
    if (diff.accounts.has(cb)) {
      diff.accounts.delete(cb);
      if (!sameIdentity(before, after)) replayable = false;
    }
    const touched = access.reads.accounts.has(`0x${cb}`) || access.writes.accounts.has(`0x${cb}`);
    if (touched && !coinbaseExists) replayable = false;
    if (env.coinbaseObserved || t.sender === cb) replayable = false;
    access.reads.accounts.delete(`0x${cb}`);
    access.writes.accounts.delete(`0x${cb}`);
    txLayer.mergeIntoParent();
    const txBlobGas = blobGasOf(t.tx);
    const executed: ExecutedTx = {
      hash: t.hash,
      position,
      gasUsed: result.totalGasSpent,
      blobGasUsed: txBlobGas,
      receipt: result.receipt,
      reverted,
      diff,
      coinbaseDelta: (after?.balance ?? 0n) - (before?.balance ?? 0n),
      reads: access.reads,
      writes: access.writes,
    };
    if (after !== null && after.nonce !== (before?.nonce ?? 0n)) executed.coinbaseNonce = after.nonce;
    txs.push(executed);
    unionInto(reads, access.reads);
    unionInto(writes, access.writes);
    gasUsed += result.totalGasSpent;
    blobGasUsed += txBlobGas;
  }
  const profit = (layer.account(cb)?.balance ?? 0n) - (startCoinbase?.balance ?? 0n);
  return {
    ok: true,
    execution: { orderId: order.id, txs, gasUsed, blobGasUsed, profit, reads, writes, replayable },
  };
}

/** Blob gas of a transaction: 2^17 per blob (EIP-4844's GAS_PER_BLOB), 0 for other types. */
export function blobGasOf(tx: TypedTransaction): bigint {
  const hashes = (tx as { blobVersionedHashes?: unknown[] }).blobVersionedHashes;
  return hashes === undefined ? 0n : BigInt(hashes.length) * 131_072n;
}

export function unionInto(target: AccessSet, source: AccessSet): void {
  for (const [address, fields] of source.accounts) addAccount(target, address, fields);
  for (const [address, slots] of source.storage) for (const slot of slots) addSlot(target, address, slot);
}

/** EIP-161's empty account: no nonce, no balance, no code. */
function isEmpty(record: AccountRecord): boolean {
  return record.nonce === 0n && record.balance === 0n && Buffer.compare(record.codeHash, KECCAK256_NULL) === 0;
}

/**
 * Same account apart from its balance: nonce and code unchanged, not deleted. An absent account counts as empty
 * (a fee credit creating the coinbase is a balance change like any other).
 */
function sameIdentity(a: AccountRecord | null, b: AccountRecord | null): boolean {
  if (b === null) return a === null;
  const before = a ?? emptyAccount();
  return before.nonce === b.nonce && Buffer.compare(before.codeHash, b.codeHash) === 0;
}
