/**
 * The build thread (`buildThread.ts`): a build loop with its own simulation pool, on the fixture's parent, over a
 * mirror of the caller's order pool. Messages other than `init` wait for it; after that each is handled as it
 * comes (a `startSlot` cancels the build in flight without waiting for it).
 */
import { parentPort } from "node:worker_threads";
import { Address, privateToAddress } from "@ethereumjs/util";
import { describeCause } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { algorithmsByName } from "./backtest.js";
import { BuildLoop } from "./buildLoop.js";
import type { FromBuildWorker, ToBuildWorker } from "./buildThread.js";
import { fixtureParent } from "./fixtureParent.js";
import { OrderPool } from "./orders/orderPool.js";
import { orderFromWire } from "./simulation/messages.js";
import { SimulationPool } from "./simulation/simulationPool.js";
import { setThreadNice } from "./threadPriority.js";

if (parentPort === null) throw new Error("buildWorker.ts must run as a worker thread");

/** The build thread's nice value: building waits for a core, getHeader does not. */
const BUILD_THREAD_NICE = 10;
const port = parentPort;

interface Running {
  loop: BuildLoop;
  orders: OrderPool;
  simulation: SimulationPool;
  common: Awaited<ReturnType<typeof fixtureParent>>["common"];
}

let running: Promise<Running> | undefined;

function post(message: FromBuildWorker): void {
  port.postMessage(message);
}

async function start(message: Extract<ToBuildWorker, { kind: "init" }>): Promise<Running> {
  // Behind the thread that serves getHeader when cores are scarce; the simulation workers made below inherit it.
  setThreadNice(BUILD_THREAD_NICE);
  const parent = await fixtureParent(message.fixture, message.file);
  // A mirror: the caller's pool has admitted (and bounded) every order already.
  const orders = new OrderPool({
    maxOrders: Number.POSITIVE_INFINITY,
    maxOrdersPerSender: Number.POSITIVE_INFINITY,
    baseFee: parent.block.header.baseFeePerGas ?? 0n,
  });
  const simulation = new SimulationPool({ workers: message.simWorkers, participate: message.simWorkers === 0 });
  const key = message.builderKey;
  const loop = new BuildLoop({
    parent,
    orders,
    simulation,
    algorithms: algorithmsByName(message.algorithms),
    ...(key === undefined ? {} : { builder: { key, address: new Address(privateToAddress(key)) } }),
    ...(message.debounceMs === undefined ? {} : { debounceMs: message.debounceMs }),
    logger: logger(),
  });
  loop.onEvent((event) => post({ kind: "event", event }));
  await simulation.ready();
  return { loop, orders, simulation, common: parent.common };
}

async function handle(message: ToBuildWorker): Promise<void> {
  if (message.kind === "init") {
    running = start(message);
    try {
      await running;
      post({ kind: "ready" });
    } catch (error) {
      post({ kind: "initFailed", message: describeCause(error) ?? String(error) });
    }
    return;
  }
  if (running === undefined) return;
  const { loop, orders, simulation, common } = await running;
  switch (message.kind) {
    case "orders":
      for (const id of message.remove) orders.remove(id);
      for (const wire of message.add) {
        try {
          orders.add(orderFromWire(wire, common));
        } catch (err) {
          logger().warn({ err, order: wire.id }, "build thread: order not mirrored");
        }
      }
      loop.ordersChanged();
      return;
    case "addFeeRecipient":
      loop.addFeeRecipient(message.feeRecipient);
      return;
    case "removeFeeRecipient":
      loop.removeFeeRecipient(message.feeRecipient);
      return;
    case "startSlot":
      loop.startSlot(message.slot);
      return;
    case "idle":
      await loop.idle();
      post({ kind: "idle", id: message.id });
      return;
    case "close":
      await loop.close();
      await simulation.close();
      post({ kind: "closed" });
      return;
  }
}

port.on("message", (message: ToBuildWorker) => {
  void handle(message);
});
