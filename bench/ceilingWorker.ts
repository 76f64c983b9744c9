/**
 * A ceiling worker (see `ceiling.ts`): the parallel benchmark's blocks, executed by the sequential executor on
 * this thread's own copies of their pre-state, one timed run per request.
 */
import { parentPort } from "node:worker_threads";
import { executeBlock } from "../src/execution/executeBlock.js";
import { pinSenders, senderKeysOf } from "../src/execution/parallel/compareExecution.js";
import { StateLayer } from "../src/execution/state/layer.js";
import { WeftStateManager } from "../src/execution/state/stateManager.js";
import { fixtureBlockchain } from "../src/execution/stock.js";
import { createWeftVM } from "../src/execution/vm.js";
import { type BenchBlock, benchBlocks } from "./blocks.js";
import type { CeilingReply, CeilingRequest } from "./ceiling.js";

if (parentPort === null) throw new Error("bench/ceilingWorker.ts must run as a worker thread");
const port = parentPort;

const blocks = new Map<string, BenchBlock>();
const known = new Map<string, ReturnType<typeof senderKeysOf>>();

async function sequentialMs(b: BenchBlock): Promise<number> {
  const common = b.common();
  const block = b.block(common);
  const senders = known.get(b.name);
  if (senders !== undefined) pinSenders(block, senders);
  const state = new WeftStateManager({ layer: new StateLayer(b.base), recordAccess: false });
  const vm = await createWeftVM({ common, stateManager: state, blockchain: fixtureBlockchain(b.blockHashes) });
  const start = performance.now();
  await executeBlock({ vm, state, block });
  return performance.now() - start;
}

async function handle(request: CeilingRequest): Promise<CeilingReply> {
  switch (request.kind) {
    case "load":
      for (const b of await benchBlocks(request.set, request.txs)) {
        blocks.set(b.name, b);
        if (request.senders === "known") known.set(b.name, senderKeysOf(b.block(b.common())));
      }
      return { kind: "loaded" };
    case "warm":
      for (const b of blocks.values()) await sequentialMs(b);
      return { kind: "warmed" };
    case "run": {
      const b = blocks.get(request.name);
      if (b === undefined) return { kind: "error", message: `no block ${request.name} loaded` };
      return { kind: "ran", ms: await sequentialMs(b) };
    }
  }
}

// One request at a time, in order: the parent waits for each answer before it asks again.
let queue: Promise<void> = Promise.resolve();
port.on("message", (request: CeilingRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage(await handle(request));
    } catch (cause) {
      port.postMessage({ kind: "error", message: String(cause) } satisfies CeilingReply);
    }
  });
});
