/**
 * Native crypto for the hot path, wired into ethereumjs through `Common`'s `customCrypto`: libsecp256k1 (the
 * `secp256k1` binding, ~25× faster than pure-JS recovery) and the `keccak` binding. Both packages ship prebuilt
 * binaries for linux-x64 and fall back to building with node-gyp; if neither loads, weft falls back to
 * `@noble/*` (same results, slower) and says so once on stderr.
 */
import { createRequire } from "node:module";
import type { CustomCrypto } from "@ethereumjs/common";
import { calculateSigRecovery, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

interface Secp256k1Binding {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}
type KeccakFactory = (algorithm: "keccak256") => {
  update(data: Buffer): { digest(): Buffer };
};

const require = createRequire(import.meta.url);

function tryRequire<T>(name: string): T | undefined {
  try {
    return require(name) as T;
  } catch {
    return undefined;
  }
}

const secp = tryRequire<Secp256k1Binding>("secp256k1");
const createKeccak = tryRequire<KeccakFactory>("keccak");

/** Whether the native bindings loaded (they did when both are true). */
export const nativeCrypto = { secp256k1: secp !== undefined, keccak: createKeccak !== undefined } as const;

export function keccak256(data: Uint8Array): Uint8Array {
  if (createKeccak === undefined) return keccak_256(data);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = createKeccak("keccak256").update(buf).digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** ethereumjs's `ecrecover` contract: the 64-byte uncompressed public key without its 0x04 prefix. */
export function ecrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const recovery = calculateSigRecovery(v, chainId);
  if (recovery !== 0n && recovery !== 1n) throw new Error("Invalid signature v value");
  const sig = new Uint8Array(64);
  sig.set(setLengthLeft(r, 32), 0);
  sig.set(setLengthLeft(s, 32), 32);
  if (secp === undefined) throw new Error("native secp256k1 is not available");
  return secp.ecdsaRecover(sig, Number(recovery), msgHash, false).subarray(1);
}

/** Recovery from a 64-byte (r ‖ s) signature and recovery id: the 64-byte public key without its prefix. */
export function ecrecoverRaw(msgHash: Uint8Array, signature: Uint8Array, recoveryId: number): Uint8Array {
  if (secp === undefined) throw new Error("native secp256k1 is not available");
  return secp.ecdsaRecover(signature, recoveryId, msgHash, false).subarray(1);
}

/** The `customCrypto` weft hands to `Common`: native where it loaded, ethereumjs's defaults elsewhere. */
export function weftCustomCrypto(): CustomCrypto {
  const crypto: CustomCrypto = {};
  if (createKeccak !== undefined) crypto.keccak256 = keccak256;
  if (secp !== undefined) crypto.ecrecover = ecrecover;
  return crypto;
}
