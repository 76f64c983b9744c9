/**
 * The workload's accounts: private keys derived from the seed (keccak256 of a tag, a role, the seed and an index,
 * so the same options give the same keys), their addresses, and transaction signing.
 *
 * Signing is the bulk of generating a big block (one signature per transaction), so it runs on the native
 * `secp256k1` binding that `src/execution/crypto/native.ts` already loads for recovery (tens of microseconds a
 * signature); `@noble/curves` stands in when the binding is missing. Both sign deterministically (RFC 6979,
 * low s), so the bytes of a workload do not depend on which one ran.
 */
import { createRequire } from "node:module";
import { Address, bigIntToBytes, setLengthLeft } from "@ethereumjs/util";
import { secp256k1 as nobleSecp } from "@noble/curves/secp256k1.js";
import { keccak256 } from "../../execution/crypto/native.js";
import { WorkloadError } from "./errors.js";

interface Secp256k1Signing {
  privateKeyVerify(key: Uint8Array): boolean;
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
}

const native = ((): Secp256k1Signing | undefined => {
  try {
    return createRequire(import.meta.url)("secp256k1") as Secp256k1Signing;
  } catch {
    return undefined;
  }
})();

/** An account the workload holds the key of. */
export interface Signer {
  readonly key: Uint8Array;
  readonly address: Address;
}

const TEXT = new TextEncoder();

/** keccak256("weft-workload" ‖ role ‖ seed ‖ index), seed and index as 8-byte big-endian integers. */
export function deriveBytes(seed: number, role: string, index: number): Uint8Array {
  const tag = TEXT.encode(`weft-workload/${role}`);
  const material = new Uint8Array(tag.length + 16);
  material.set(tag, 0);
  const view = new DataView(material.buffer);
  view.setBigUint64(tag.length, BigInt(seed));
  view.setBigUint64(tag.length + 8, BigInt(index));
  return keccak256(material);
}

/** The private key of a role's index-th account; re-hashed in the (2^-128) case that it is not a valid key. */
export function deriveSigner(seed: number, role: string, index: number): Signer {
  let key = deriveBytes(seed, role, index);
  while (!isValidKey(key)) key = keccak256(key);
  return { key, address: addressOfKey(key) };
}

/** An address nobody holds a key for (recipients): the last 20 bytes of a derived hash. */
export function deriveAddress(seed: number, role: string, index: number): Address {
  return new Address(deriveBytes(seed, role, index).slice(12));
}

function isValidKey(key: Uint8Array): boolean {
  if (native !== undefined) return native.privateKeyVerify(key);
  return nobleSecp.utils.isValidSecretKey(key);
}

export function addressOfKey(key: Uint8Array): Address {
  const publicKey = native !== undefined ? native.publicKeyCreate(key, false) : nobleSecp.getPublicKey(key, false);
  return new Address(keccak256(publicKey.subarray(1)).slice(12));
}

/** A secp256k1 signature of a 32-byte hash, as a transaction carries it (v is the recovery id, 0 or 1). */
export function signHash(hash: Uint8Array, key: Uint8Array): { v: bigint; r: Uint8Array; s: Uint8Array } {
  try {
    if (native !== undefined) {
      const { signature, recid } = native.ecdsaSign(hash, key);
      return { v: BigInt(recid), r: signature.slice(0, 32), s: signature.slice(32, 64) };
    }
    const recovered = nobleSecp.sign(hash, key, { prehash: false, format: "recovered" });
    const signature = nobleSecp.Signature.fromBytes(recovered, "recovered");
    return {
      v: BigInt(signature.recovery as number),
      r: setLengthLeft(bigIntToBytes(signature.r), 32),
      s: setLengthLeft(bigIntToBytes(signature.s), 32),
    };
  } catch (cause) {
    throw new WorkloadError("SIGNING_FAILED", "cannot sign a workload transaction", { cause });
  }
}
