/**
 * The cumulative-hash actor: a contract whose state is a running hash of every call it has received, so any
 * two calls to one instance conflict (each reads and writes the hash) and their order changes the result.
 *
 *   on every call:  slot0 ← keccak256(slot0 ‖ caller ‖ calldata)   (caller left-padded to 32 bytes)
 *                   slot1 ← slot1 + 1
 *                   returns the new slot0
 *
 * It accepts any calldata (no selector) and any value. Hand-assembled; the listing below is the whole contract.
 */
import { keccak256 } from "../../../execution/crypto/native.js";
import { assemble } from "../evmAssembler.js";

export const HASH_ACTOR_PROGRAM: readonly string[] = [
  "PUSH0 SLOAD", // [h]                      h = slot0, the hash so far
  "PUSH0 MSTORE", // []                      memory[0, 32) = h
  "CALLER PUSH1 0x20 MSTORE", // []          memory[32, 64) = caller
  "CALLDATASIZE PUSH0 PUSH1 0x40 CALLDATACOPY", // memory[64, 64 + n) = calldata
  "CALLDATASIZE PUSH1 0x40 ADD", // [64 + n]
  "PUSH0 KECCAK256", // [h']                 h' = keccak256(memory[0, 64 + n))
  "DUP1 PUSH0 SSTORE", // [h']               slot0 = h'
  "PUSH1 0x01 SLOAD PUSH1 0x01 ADD", // [c + 1, h']
  "PUSH1 0x01 SSTORE", // [h']               slot1 = c + 1
  "PUSH0 MSTORE", // []                      memory[0, 32) = h'
  "PUSH1 0x20 PUSH0 RETURN", // return h'
];

/** The 37 bytes `5f545f5233602052365f604037366040015f20805f556001546001016001555f5260205ff3` (pinned by a test). */
export const HASH_ACTOR_RUNTIME: Uint8Array = assemble(HASH_ACTOR_PROGRAM);

/** What one call does to an instance's hash: the reference the tests check the contract against. */
export function nextActorHash(previous: Uint8Array, caller: Uint8Array, calldata: Uint8Array): Uint8Array {
  const preimage = new Uint8Array(64 + calldata.length);
  preimage.set(previous, 32 - previous.length);
  preimage.set(caller, 64 - caller.length);
  preimage.set(calldata, 64);
  return keccak256(preimage);
}
