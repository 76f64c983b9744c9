/**
 * keccak256 for the trie hashing of sealing, where a seal hashes thousands of small nodes: the `keccak`
 * package's native sponge used directly, one state re-initialised per hash. The package's own `keccak256`
 * wrapper (what `src/execution/crypto/native.ts` calls) builds a stream object per hash, which profiles as more
 * than half of the hashing time here. Falls back to that wrapper when the native module does not load.
 */
import { createRequire } from "node:module";
import { keccak256 } from "../../execution/crypto/native.js";

interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

const state = ((): KeccakState | undefined => {
  try {
    const require = createRequire(import.meta.url);
    const keccakRequire = createRequire(require.resolve("keccak"));
    const dir = keccakRequire.resolve("./package.json").replace(/package\.json$/, "");
    const State = keccakRequire("node-gyp-build")(dir) as new () => KeccakState;
    const s = new State();
    // A known answer, so a broken binding falls back rather than hashing wrong.
    s.initialize(1088, 512);
    s.absorbLastFewBits(0x01);
    const empty = s.squeeze(32).toString("hex");
    return empty === "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" ? s : undefined;
  } catch {
    return undefined;
  }
})();

export function keccak(data: Uint8Array): Uint8Array {
  if (state === undefined) return keccak256(data);
  state.initialize(1088, 512);
  state.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  state.absorbLastFewBits(0x01);
  return state.squeeze(32);
}
