/**
 * Native crypto for the hot path, wired into ethereumjs through `Common`'s `customCrypto`: libsecp256k1 (the
 * `secp256k1` binding, ~25× faster than pure-JS recovery) and the `keccak` binding. Both packages ship prebuilt
 * binaries for linux-x64 and fall back to building with node-gyp; if neither loads, weft falls back to
 * `@noble/*` (same results, slower) and says so once on stderr.
 *
 * keccak256 is hash-wasm's WebAssembly keccak once it has been instantiated (asynchronously, at load), and the
 * `keccak` package's native sponge until then: the same digest either way. Most hashes here are small (storage
 * slots, log topics, trie nodes under one 136-byte block), where the native binding's cost is its call and the
 * Buffer it allocates per digest (about 3 of its 4.5 µs on 64 bytes), not the permutation; the WebAssembly hasher
 * takes about half of that, and no more than the binding on larger inputs. The sponge is driven directly, one
 * state re-initialised per hash (the package's own wrapper builds a stream object per call); a known answer is
 * checked at load, so a broken binding falls back to the wrapper, then to `@noble/hashes`.
 */
import { createRequire } from "node:module";
import type { CustomCrypto } from "@ethereumjs/common";
import { calculateSigRecovery, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createKeccak as createWasmKeccak, type IHasher } from "hash-wasm";

interface Secp256k1Binding {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}
type KeccakFactory = (algorithm: "keccak256") => {
  update(data: Buffer): { digest(): Buffer };
};
interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

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

const sponge = ((): KeccakState | undefined => {
  try {
    const keccakRequire = createRequire(require.resolve("keccak"));
    const dir = keccakRequire.resolve("./package.json").replace(/package\.json$/, "");
    const State = keccakRequire("node-gyp-build")(dir) as new () => KeccakState;
    const s = new State();
    s.initialize(1088, 512);
    s.absorbLastFewBits(0x01);
    const empty = s.squeeze(32).toString("hex");
    return empty === "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" ? s : undefined;
  } catch {
    return undefined;
  }
})();

let wasmKeccak: IHasher | undefined;
const wasmKeccakReady: Promise<boolean> = createWasmKeccak(256).then(
  (hasher) => {
    wasmKeccak = hasher;
    return true;
  },
  () => false,
);

/** Whether keccak256 now runs in WebAssembly (resolves once its instantiation has settled). */
export function keccakReady(): Promise<boolean> {
  return wasmKeccakReady;
}

export function keccak256(data: Uint8Array): Uint8Array {
  const hasher = wasmKeccak;
  if (hasher !== undefined) {
    hasher.init();
    hasher.update(data);
    return hasher.digest("binary");
  }
  return nativeKeccak256(data);
}

/** keccak256 through the native binding (or its fallbacks): what keccak256 uses until WebAssembly is ready. */
export function nativeKeccak256(data: Uint8Array): Uint8Array {
  if (sponge !== undefined) {
    sponge.initialize(1088, 512);
    sponge.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    sponge.absorbLastFewBits(0x01);
    const out = sponge.squeeze(32);
    // A plain Uint8Array view: Buffer's `slice` shares memory where Uint8Array's copies.
    return new Uint8Array(out.buffer, out.byteOffset, 32);
  }
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
