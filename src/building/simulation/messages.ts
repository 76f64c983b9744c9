/**
 * Messages between the simulation pool and its workers (rbuilder's `SimulationRequest` → `SimulatedResult`, as
 * structured-clone data). Orders travel as their raw signed transactions and flags; a worker decodes each once
 * per block context and keeps it for group resolution.
 */
import type { MessagePort } from "node:worker_threads";
import type { Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { transactionCommon } from "../../execution/chain.js";
import type { StateDiff } from "../../execution/parallel/stateDiff.js";
import type { GroupResult, GroupTask } from "../builders/resolveGroups.js";
import type { OrderExecution } from "../executeOrder.js";
import { type Order, orderTransaction } from "../orders/order.js";
import type { SimulationOutcome } from "./simulateSequence.js";

export interface WireTx {
  raw: Uint8Array;
  canRevert: boolean;
  canDrop: boolean;
}

export interface WireOrder {
  id: string;
  kind: "tx" | "bundle";
  seq: number;
  txs: WireTx[];
  blockNumber?: bigint;
  minTimestamp?: bigint;
  maxTimestamp?: bigint;
}

export interface WireSequence {
  sequence: WireOrder[];
  reportFrom: number;
}

/** The block being built, as a worker rebuilds its execution context. */
export interface WireContext {
  contextId: number;
  hardfork: string;
  needsKzg: boolean;
  /** RLP of the header as execution sees it. */
  header: Uint8Array;
  withdrawals: undefined;
  coinbase: Uint8Array;
  gasReserve: bigint;
  blockHashes: Record<string, string>;
  /** The parent state, flattened: sent only when the parent changed (else the replica is kept). */
  snapshot: StateDiff | undefined;
  /** The system calls' changes over the parent. */
  systemDiff: StateDiff;
}

export type ToWorker =
  | { kind: "init"; port: MessagePort }
  | { kind: "context"; context: WireContext }
  | {
      kind: "simulate";
      contextId: number;
      batchId: number;
      requests: WireSequence[];
      /** Int32Array: [0] the next request index to claim. */
      claims: SharedArrayBuffer;
      cancel: SharedArrayBuffer;
    }
  | {
      kind: "resolve";
      contextId: number;
      batchId: number;
      tasks: GroupTask[];
      /** The tasks' orders (a worker decodes the ones it has not seen yet). */
      orders: WireOrder[];
      /** Top-of-block simulations of the tasks' orders, replayed where they hold. */
      simulations: Array<{ orderId: string; execution: OrderExecution; base: readonly string[] }>;
      claims: SharedArrayBuffer;
      cancel: SharedArrayBuffer;
    };

export type FromWorker =
  | { kind: "simulated"; batchId: number; index: number; outcomes: SimulationOutcome[] }
  | { kind: "resolved"; batchId: number; index: number; result: GroupResult }
  | { kind: "done"; batchId: number }
  | { kind: "error"; batchId: number; message: string };

export function wireOrder(order: Order): WireOrder {
  const wire: WireOrder = {
    id: order.id,
    kind: order.kind,
    seq: order.seq,
    txs: order.txs.map((t) => ({ raw: t.raw, canRevert: t.canRevert, canDrop: t.canDrop })),
  };
  if (order.kind === "bundle") {
    if (order.blockNumber !== undefined) wire.blockNumber = order.blockNumber;
    if (order.minTimestamp !== undefined) wire.minTimestamp = order.minTimestamp;
    if (order.maxTimestamp !== undefined) wire.maxTimestamp = order.maxTimestamp;
  }
  return wire;
}

/** An order again from its wire form (senders recovered here). A bundle comes back without its replacement uuid. */
export function orderFromWire(wire: WireOrder, common: Common): Order {
  const txs = wire.txs.map((t) =>
    orderTransaction(createTxFromRLP(t.raw, { common: transactionCommon(common) }) as TypedTransaction, {
      canRevert: t.canRevert,
      canDrop: t.canDrop,
    }),
  );
  if (wire.kind === "tx") return { kind: "tx", id: wire.id, txs, seq: wire.seq };
  return {
    kind: "bundle",
    id: wire.id,
    txs,
    seq: wire.seq,
    blockNumber: wire.blockNumber,
    minTimestamp: wire.minTimestamp,
    maxTimestamp: wire.maxTimestamp,
    replacementUuid: undefined,
    searcher: txs[txs.length - 1]?.sender ?? "",
  };
}
