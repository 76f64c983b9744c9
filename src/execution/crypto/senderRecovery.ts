/**
 * Senders recovered off the hot path: when a block is handed to the engine, every transaction's signature goes
 * to a worker thread in one batch, and the recovered keys come back through shared memory (`RecoveryTable`, see
 * `recoveryWorker.ts`). Before executing a transaction, a thread pins its sender from the table (`pinSender`) if
 * it is there. It never waits: a transaction whose sender is not recovered yet is recovered in place, as it would
 * be without the worker. The checks ethereumjs makes around recovery (the high-s rule from Homestead) are made
 * here before a signature is sent. The table can be handed to other threads (the parallel workers), which pin
 * from it the same way (`RecoveredSenders`).
 */
import type { Worker } from "node:worker_threads";
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { Address, bigIntToBytes, calculateSigRecovery, SECP256K1_ORDER_DIV_2, setLengthLeft } from "@ethereumjs/util";
import { spawnWorker } from "../parallel/pool.js";
import { KEY_BYTES, RECOVERED, type RecoveryRequest, type RecoveryTable, UNRECOVERED } from "./recoveryTable.js";

export type { RecoveryTable } from "./recoveryTable.js";

/** Pins a sender on an unfrozen transaction and freezes it; false if the transaction is frozen already. */
export function pinSender(tx: TypedTransaction, publicKey: Uint8Array, address: Uint8Array): boolean {
  if (Object.isFrozen(tx)) return false;
  const sender = new Address(address);
  Object.defineProperty(tx, "getSenderPublicKey", { value: () => publicKey });
  Object.defineProperty(tx, "getSenderAddress", { value: () => sender });
  Object.freeze(tx);
  return true;
}

/** A recovery table as seen by one thread: pins the senders recovered there on that thread's transactions. */
export class RecoveredSenders {
  readonly #status: Int32Array;
  readonly #keys: Uint8Array;

  constructor(table: RecoveryTable) {
    this.#status = new Int32Array(table.status);
    this.#keys = new Uint8Array(table.keys);
  }

  /**
   * Pins transaction i's sender if it has been recovered. The transaction must be the table's i-th (any
   * decoding of the same bytes will do) and unfrozen; returns whether it was pinned.
   */
  pin(i: number, tx: TypedTransaction): boolean {
    if (Atomics.load(this.#status, i) !== RECOVERED) return false;
    const entry = this.#keys.slice(KEY_BYTES * i, KEY_BYTES * (i + 1));
    return pinSender(tx, entry.subarray(0, 64), entry.subarray(64));
  }
}

/**
 * The senders already known on a block's transactions (pinned, or recovered and cached on a frozen transaction:
 * a builder's orders, recovered when they arrived) as a recovery table other threads can pin from, without
 * recovering anything. Transactions whose sender is not known are marked UNRECOVERED: whoever executes them
 * recovers them. Undefined when no sender is known.
 */
export function knownSenders(txs: readonly TypedTransaction[]): RecoveryTable | undefined {
  const n = txs.length;
  let table: RecoveryTable | undefined;
  let status: Int32Array | undefined;
  let keys: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const tx = txs[i] as TypedTransaction;
    if (!senderKnown(tx)) continue;
    if (table === undefined) {
      table = { keys: new SharedArrayBuffer(KEY_BYTES * n), status: new SharedArrayBuffer(4 * (n + 1)) };
      status = new Int32Array(table.status).fill(UNRECOVERED, 0, n);
      keys = new Uint8Array(table.keys);
    }
    (keys as Uint8Array).set(tx.getSenderPublicKey(), KEY_BYTES * i);
    (keys as Uint8Array).set(tx.getSenderAddress().bytes, KEY_BYTES * i + 64);
    (status as Int32Array)[i] = RECOVERED;
  }
  return table;
}

/** Whether a transaction's sender is known without recovering it: pinned, or cached by a frozen transaction. */
function senderKnown(tx: TypedTransaction): boolean {
  if (!Object.isFrozen(tx)) return false;
  if (Object.hasOwn(tx, "getSenderPublicKey")) return true;
  return tx.cache.senderPubKey !== undefined;
}

export interface RecoveryJob {
  /** The shared table the worker fills: other threads may pin from it (`RecoveredSenders`). */
  readonly table: RecoveryTable;
  /** Pins transaction i's sender if the worker has recovered it. */
  pin(i: number): void;
  /** Tells the worker to stop: the block is done (or abandoned) and its remaining senders are not needed. */
  stop(): void;
  /** How many senders this job has pinned so far. */
  readonly pinned: number;
}

export class SenderRecovery {
  readonly #worker: Worker = spawnWorker(new URL("./recoveryWorker", import.meta.url));
  readonly #ready: Promise<void>;

  constructor() {
    // Referenced until it has answered, so that a process awaiting `ready()` is kept alive; then it never holds
    // the process open.
    this.#ready = new Promise((resolve) =>
      this.#worker.once("message", () => {
        this.#worker.unref();
        resolve();
      }),
    );
    this.#worker.postMessage("hello");
  }

  /** Resolves once the worker has loaded (nothing needs to wait for it; benchmarks and tests may). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Sends the block's signatures to the worker; pin each transaction's sender before executing it. */
  start(txs: readonly TypedTransaction[]): RecoveryJob {
    const n = txs.length;
    const table: RecoveryTable = {
      keys: new SharedArrayBuffer(KEY_BYTES * n),
      status: new SharedArrayBuffer(4 * (n + 1)),
    };
    const request: RecoveryRequest = {
      table,
      hashes: new Uint8Array(32 * n),
      signatures: new Uint8Array(64 * n),
      recoveryIds: new Uint8Array(n).fill(255),
    };
    txs.forEach((tx, i) => {
      if (Object.isFrozen(tx) || tx.v === undefined || tx.r === undefined || tx.s === undefined) return;
      if (tx.common.gteHardfork("homestead") && tx.s > SECP256K1_ORDER_DIV_2) return;
      let recovery: bigint;
      try {
        const chainId = tx.supports(Capability.EIP155ReplayProtection) ? tx.common.chainId() : undefined;
        recovery = calculateSigRecovery(tx.v, chainId);
      } catch {
        return;
      }
      if (recovery !== 0n && recovery !== 1n) return;
      request.hashes.set(tx.getMessageToVerifySignature(), 32 * i);
      request.signatures.set(setLengthLeft(bigIntToBytes(tx.r), 32), 64 * i);
      request.signatures.set(setLengthLeft(bigIntToBytes(tx.s), 32), 64 * i + 32);
      request.recoveryIds[i] = Number(recovery);
    });
    this.#worker.postMessage(request, [
      request.hashes.buffer as ArrayBuffer,
      request.signatures.buffer as ArrayBuffer,
      request.recoveryIds.buffer as ArrayBuffer,
    ]);
    const senders = new RecoveredSenders(table);
    let pinned = 0;
    return {
      table,
      get pinned() {
        return pinned;
      },
      pin(i: number) {
        if (senders.pin(i, txs[i] as TypedTransaction)) pinned++;
      },
      stop() {
        Atomics.store(new Int32Array(table.status), n, 1);
      },
    };
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
