/**
 * Senders recovered off the hot path: when a block is handed to the engine, every transaction's signature goes
 * to a worker thread in one batch; as chunks of public keys come back, the executing thread pins them on the
 * transactions (`pinSender`). It never waits: a transaction whose sender has not arrived yet is recovered in
 * place, as it would be without the worker. The checks ethereumjs makes around recovery (the high-s rule from
 * Homestead) are made here before a key is pinned.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { Address, bigIntToBytes, calculateSigRecovery, SECP256K1_ORDER_DIV_2, setLengthLeft } from "@ethereumjs/util";
import { spawnWorker } from "../parallel/pool.js";
import type { RecoveryChunk, RecoveryRequest } from "./recoveryWorker.js";

/** Pins a sender on an unfrozen transaction and freezes it; false if the transaction is frozen already. */
export function pinSender(tx: TypedTransaction, publicKey: Uint8Array, address: Uint8Array): boolean {
  if (Object.isFrozen(tx)) return false;
  const sender = new Address(address);
  Object.defineProperty(tx, "getSenderPublicKey", { value: () => publicKey });
  Object.defineProperty(tx, "getSenderAddress", { value: () => sender });
  Object.freeze(tx);
  return true;
}

export interface RecoveryJob {
  /** Pins whatever senders have arrived. */
  poll(): void;
  /** How many senders the worker has pinned so far. */
  readonly pinned: number;
}

export class SenderRecovery {
  readonly #worker = spawnWorker(new URL("./recoveryWorker", import.meta.url));
  readonly #port: MessagePort;
  readonly #ready: Promise<void>;
  #nextId = 1;

  constructor() {
    this.#ready = new Promise((resolve) => this.#worker.once("message", () => resolve()));
    this.#worker.unref();
    const channel = new MessageChannel();
    channel.port1.unref();
    this.#worker.postMessage({ port: channel.port2 }, [channel.port2]);
    this.#port = channel.port1;
  }

  /** Resolves once the worker has loaded (nothing needs to wait for it; benchmarks and tests may). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Sends the block's signatures to the worker; poll the job before executing each transaction. */
  start(txs: readonly TypedTransaction[]): RecoveryJob {
    const id = this.#nextId++;
    const n = txs.length;
    const request: RecoveryRequest = {
      id,
      hashes: new Uint8Array(32 * n),
      signatures: new Uint8Array(64 * n),
      recoveryIds: new Uint8Array(n),
    };
    const eligible = new Uint8Array(n);
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
      eligible[i] = 1;
    });
    this.#worker.postMessage(request, [
      request.hashes.buffer as ArrayBuffer,
      request.signatures.buffer as ArrayBuffer,
      request.recoveryIds.buffer as ArrayBuffer,
    ]);
    const port = this.#port;
    let pinned = 0;
    return {
      get pinned() {
        return pinned;
      },
      poll() {
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
          const chunk = m.message as RecoveryChunk;
          if (chunk.id !== id) continue;
          const count = chunk.keys.length / 84;
          for (let k = 0; k < count; k++) {
            const i = chunk.start + k;
            if (eligible[i] !== 1) continue;
            const publicKey = chunk.keys.subarray(84 * k, 84 * k + 64);
            if (publicKey.every((b) => b === 0)) continue;
            if (pinSender(txs[i] as TypedTransaction, publicKey, chunk.keys.subarray(84 * k + 64, 84 * k + 84)))
              pinned++;
          }
        }
      },
    };
  }

  async close(): Promise<void> {
    this.#port.close();
    await this.#worker.terminate();
  }
}
