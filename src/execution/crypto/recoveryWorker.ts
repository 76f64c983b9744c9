/**
 * Signature recovery off the executing threads. For each (message hash, signature, recovery id) of a block it
 * writes the 64-byte public key and the 20-byte address into a shared table (`RecoveryTable`) and then marks the
 * transaction done, so that every thread executing the block (the committing thread and the parallel workers)
 * pins senders straight from shared memory: no message per chunk, and no signature recovered twice.
 *
 * The order is both ends inwards (0, n − 1, 1, n − 2, …): the committing thread works from the front of a block
 * and the parallel workers from the back, and recovery (tens of microseconds) keeps ahead of both.
 */
import { parentPort } from "node:worker_threads";
import { ecrecoverRaw, keccak256 } from "./native.js";
import { KEY_BYTES, RECOVERED, type RecoveryRequest, recoveryOrder, UNRECOVERED } from "./recoveryTable.js";

function recoverBlock({ table, hashes, signatures, recoveryIds }: RecoveryRequest): void {
  const n = recoveryIds.length;
  const status = new Int32Array(table.status);
  const keys = new Uint8Array(table.keys);
  for (let step = 0; step < n; step++) {
    if (Atomics.load(status, n) !== 0) return;
    const i = recoveryOrder(step, n);
    const recoveryId = recoveryIds[i] as number;
    let outcome = UNRECOVERED;
    if (recoveryId <= 1) {
      try {
        const key = ecrecoverRaw(
          hashes.subarray(32 * i, 32 * i + 32),
          signatures.subarray(64 * i, 64 * i + 64),
          recoveryId,
        );
        keys.set(key, KEY_BYTES * i);
        keys.set(keccak256(key).subarray(12), KEY_BYTES * i + 64);
        outcome = RECOVERED;
      } catch {
        // left unrecovered: the executing thread recovers it and reports why it failed
      }
    }
    Atomics.store(status, i, outcome);
  }
}

if (parentPort !== null) {
  parentPort.on("message", (message: RecoveryRequest | "hello") => {
    if (message === "hello") parentPort?.postMessage("ready");
    else recoverBlock(message);
  });
}
