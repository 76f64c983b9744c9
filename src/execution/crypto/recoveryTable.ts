/**
 * The shared table through which the recovery thread (`recoveryWorker.ts`) hands a block's senders to every
 * thread executing it. Kept apart from the worker module, which listens on its thread's port when imported.
 */
/** Per transaction in `RecoveryTable.status`. */
export const PENDING = 0;
export const RECOVERED = 1;
/** Not eligible (checked on the executing thread) or recovery failed: the executing thread recovers it itself. */
export const UNRECOVERED = 2;
/** Bytes per transaction in `RecoveryTable.keys`: public key (64) then address (20). */
export const KEY_BYTES = 84;

/** A block's senders as shared memory: any thread that holds it can pin what is recovered. */
export interface RecoveryTable {
  /** KEY_BYTES per transaction. */
  keys: SharedArrayBuffer;
  /** Int32 per transaction (PENDING, RECOVERED, UNRECOVERED), then one word: non-zero asks the worker to stop. */
  status: SharedArrayBuffer;
}

export interface RecoveryRequest {
  table: RecoveryTable;
  /** 32 bytes per transaction. */
  hashes: Uint8Array;
  /** 64 bytes (r ‖ s) per transaction. */
  signatures: Uint8Array;
  /** The recovery id (0 or 1) per transaction, or 255 where the executing thread found it ineligible. */
  recoveryIds: Uint8Array;
}

/** The i-th transaction recovered: both ends inwards. */
export function recoveryOrder(step: number, n: number): number {
  return step % 2 === 0 ? step / 2 : n - 1 - (step - 1) / 2;
}
