/**
 * A simulation worker: one EVM on a replica of the parent state. Per block context it rebuilds the header and the
 * top-of-block state (replica + system calls); per batch it claims requests from a shared counter (so workers
 * that finish early take more) until none is left or the slot's token is cancelled, and posts each result as
 * soon as it has it. The same worker resolves conflict groups on the orders it has decoded.
 */
import { type MessagePort, parentPort } from "node:worker_threads";
import { Block, createBlockHeaderFromRLP } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { Address } from "@ethereumjs/util";
import { loadKzg } from "../../execution/chain.js";
import { weftCustomCrypto } from "../../execution/crypto/native.js";
import { applyDiff, layerFromSnapshot } from "../../execution/parallel/stateDiff.js";
import { bytesKey } from "../../execution/state/keys.js";
import { StateLayer } from "../../execution/state/layer.js";
import { describeCause } from "../../shared/errors.js";
import { evaluateGroup } from "../builders/resolveGroups.js";
import { type ExecutionContext, maxBlobGas } from "../context.js";
import { createExecutionEnv, type ExecutionEnv } from "../executionEnv.js";
import type { Order } from "../orders/order.js";
import { CancellationToken } from "./cancellation.js";
import { type FromWorker, orderFromWire, type ToWorker, type WireContext, type WireOrder } from "./messages.js";
import { simulateSequence } from "./simulateSequence.js";

if (parentPort === null) throw new Error("simulationWorker.ts must run as a worker thread");

let results: MessagePort | undefined;
let replica = new StateLayer();
let current: { id: number; ctx: ExecutionContext; env: ExecutionEnv; orders: Map<string, Order> } | undefined;
/** Why the last context could not be set up (reported with the next batch for it). */
let contextError: { id: number; message: string } | undefined;
/** Messages run one at a time, in arrival order (a batch may await; the next message waits for it). */
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  results?.postMessage(message);
}

async function setContext(wire: WireContext): Promise<void> {
  if (wire.needsKzg) await loadKzg();
  if (wire.snapshot !== undefined) replica = layerFromSnapshot(wire.snapshot);
  const common = new Common({ chain: Mainnet, hardfork: wire.hardfork, customCrypto: weftCustomCrypto() });
  const header = createBlockHeaderFromRLP(wire.header, { common, skipConsensusFormatValidation: true });
  const block = new Block(header, [], [], undefined, { common, skipConsensusFormatValidation: true });
  const topOfBlock = new StateLayer(replica);
  applyDiff(topOfBlock, wire.systemDiff);
  const ctx: ExecutionContext = {
    common,
    block,
    topOfBlock,
    coinbase: new Address(wire.coinbase),
    coinbaseKey: bytesKey(wire.coinbase),
    blockHashes: wire.blockHashes,
    baseFee: header.baseFeePerGas ?? 0n,
    gasLimit: header.gasLimit,
    gasReserve: wire.gasReserve,
    maxBlobGas: maxBlobGas(header.common),
  };
  current = { id: wire.contextId, ctx, env: await createExecutionEnv(ctx, topOfBlock), orders: new Map() };
}

/** The worker's decoded copy of an order (senders recovered here, once per context). */
function decode(wire: WireOrder): Order {
  const cache = current?.orders as Map<string, Order>;
  const known = cache.get(wire.id);
  if (known !== undefined) return known;
  const order = orderFromWire(wire, current?.ctx.common as Common);
  cache.set(wire.id, order);
  return order;
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.kind) {
    case "init":
      results = message.port;
      parentPort?.postMessage({ kind: "ready" });
      return;
    case "context":
      current = undefined;
      contextError = undefined;
      try {
        await setContext(message.context);
      } catch (error) {
        contextError = { id: message.context.contextId, message: describeCause(error) ?? String(error) };
      }
      return;
    case "simulate":
    case "resolve": {
      const { batchId } = message;
      try {
        if (contextError?.id === message.contextId) {
          throw new Error(`block context ${message.contextId} could not be set up: ${contextError.message}`);
        }
        if (current === undefined || current.id !== message.contextId) {
          throw new Error(`no block context ${message.contextId} (have ${current?.id ?? "none"})`);
        }
        const { ctx, env } = current;
        const claims = new Int32Array(message.claims);
        const token = CancellationToken.view(message.cancel);
        const cancelled = () => token.cancelled;
        if (message.kind === "simulate") {
          for (;;) {
            if (token.cancelled) break;
            const index = Atomics.add(claims, 0, 1);
            const request = message.requests[index];
            if (request === undefined) break;
            const sequence = request.sequence.map(decode);
            const outcomes = await simulateSequence(env, ctx, sequence, request.reportFrom, cancelled);
            post({ kind: "simulated", batchId, index, outcomes });
          }
        } else {
          for (const wire of message.orders) decode(wire);
          const simulations = new Map(message.simulations.map((s) => [s.orderId, s]));
          for (;;) {
            if (token.cancelled) break;
            const index = Atomics.add(claims, 0, 1);
            const task = message.tasks[index];
            if (task === undefined) break;
            const orders = task.orderIds.map((id) => current?.orders.get(id) as Order);
            const result = await evaluateGroup(env, ctx, orders, task, simulations, cancelled);
            post({ kind: "resolved", batchId, index, result });
          }
        }
      } catch (error) {
        post({ kind: "error", batchId, message: describeCause(error) ?? String(error) });
      }
      post({ kind: "done", batchId });
      return;
    }
  }
}

parentPort.on("message", (message: ToWorker) => {
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => {
      post({ kind: "error", batchId: -1, message: describeCause(error) ?? String(error) });
    });
});
