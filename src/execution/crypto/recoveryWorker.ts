/**
 * Signature recovery off the executing thread: for each (message hash, signature, recovery id) it returns the
 * 64-byte public key and the 20-byte address, in chunks as they are done, or an all-zero key where recovery
 * failed (the executing thread then recovers that one itself and reports the error).
 */
import { type MessagePort, parentPort } from "node:worker_threads";
import { ecrecoverRaw, keccak256 } from "./native.js";

export interface RecoveryRequest {
  id: number;
  /** 32 bytes per transaction. */
  hashes: Uint8Array;
  /** 64 bytes (r ‖ s) per transaction. */
  signatures: Uint8Array;
  recoveryIds: Uint8Array;
}

export interface RecoveryChunk {
  id: number;
  start: number;
  /** 64 bytes of public key then 20 of address, per transaction. */
  keys: Uint8Array;
}

export const CHUNK = 32;

if (parentPort !== null) {
  let port: MessagePort | undefined;
  parentPort.on("message", (message: { port?: MessagePort } & Partial<RecoveryRequest>) => {
    if (message.port !== undefined) {
      port = message.port;
      parentPort?.postMessage("ready");
      return;
    }
    const { id, hashes, signatures, recoveryIds } = message as RecoveryRequest;
    const n = recoveryIds.length;
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const keys = new Uint8Array((end - start) * 84);
      for (let i = start; i < end; i++) {
        try {
          const key = ecrecoverRaw(
            hashes.subarray(32 * i, 32 * i + 32),
            signatures.subarray(64 * i, 64 * i + 64),
            recoveryIds[i] as number,
          );
          keys.set(key, (i - start) * 84);
          keys.set(keccak256(key).subarray(12), (i - start) * 84 + 64);
        } catch {
          // left zero: the executing thread recovers it and reports why it failed
        }
      }
      port?.postMessage({ id, start, keys } satisfies RecoveryChunk, [keys.buffer as ArrayBuffer]);
    }
  });
}
