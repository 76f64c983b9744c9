/**
 * The hashing side of the whole-list swap-or-not shuffle. Round r of the spec's compute_shuffled_index reads
 *
 *   pivot  = bytes_to_uint64(hash(seed + uint_to_bytes(uint8(r)))[0:8]) % n
 *   source = hash(seed + uint_to_bytes(uint8(r)) + uint_to_bytes(uint32(position // 256)))
 *
 * and flips index i with (pivot - i) % n when bit `position % 256` of `source` is set, position = max(i, flip).
 * Over the whole list that pairs i with pivot - i for i < ceil(pivot / 2) ("segment 1") and pivot + 1 + k with
 * n - 1 - k for k < ceil((n - pivot - 1) / 2) ("segment 2"); the pair's bit is at its larger index j. So a round
 * needs only the source hashes of the blocks (j // 256) that segment 1's and segment 2's j ranges cover: about
 * n / 512 hashes, each hashed once.
 *
 * The pivot hashes (one per round) are `@chainsafe/as-sha256`'s, here. The source hashes are too where WebAssembly
 * SIMD is missing (the plain-JavaScript path, and pool helpers there); with SIMD they are hashed four at a time by
 * sha256x4.wat (kernel.ts), which as-sha256 cannot do: its batch calls hash 64-byte messages (Merkle nodes), these
 * messages are 33 and 37 bytes, so each is one `digest` of the library's WebAssembly module. A private instance of
 * that module (`newInstance`) lets the hash be read straight out of its memory: no allocation per hash, none per
 * index.
 */
import { newInstance, type WasmContext } from "@chainsafe/as-sha256/lib/wasm.js";

/** The blocks of source hashes one round needs, and where each segment starts. */
export interface RoundLayout {
  pivot: number;
  /** Pairs (i, pivot - i) for i < count1. */
  count1: number;
  /** Pairs (pivot + 1 + k, n - 1 - k) for k < count2. */
  count2: number;
  /** First source block of segment 1 (its smallest j is pivot - count1 + 1) and how many follow. */
  firstBlock1: number;
  blocks1: number;
  /** Likewise for segment 2 (its j run from n - count2 to n - 1). */
  firstBlock2: number;
  blocks2: number;
}

export function roundLayout(pivot: number, n: number): RoundLayout {
  const count1 = (pivot + 1) >>> 1;
  const count2 = Math.floor((pivot + n + 1) / 2) - pivot - 1;
  const firstBlock1 = count1 > 0 ? Math.floor((pivot - count1 + 1) / 256) : 0;
  const blocks1 = count1 > 0 ? Math.floor(pivot / 256) - firstBlock1 + 1 : 0;
  const firstBlock2 = count2 > 0 ? Math.floor((n - count2) / 256) : 0;
  const blocks2 = count2 > 0 ? Math.floor((n - 1) / 256) - firstBlock2 + 1 : 0;
  return { pivot, count1, count2, firstBlock1, blocks1, firstBlock2, blocks2 };
}

/** An upper bound on blocks1 + blocks2 for a list of n: the pairs number at most n / 2, 256 to a block. */
export function maxRoundBlocks(n: number): number {
  return Math.floor(n / 512) + 5;
}

/** The processing order of rounds: forwards (shuffle) 0..rounds-1, backwards (unshuffle) rounds-1..0. */
export function roundAt(step: number, rounds: number, forwards: boolean): number {
  return forwards ? step : rounds - 1 - step;
}

/**
 * Hashes pivots and source blocks for one seed. One per thread; `setSeed` before each list.
 */
export class RoundHasher {
  private readonly ctx: WasmContext;
  /** The message buffer in the hash module's memory: seed (32) + round (1) + block (4). */
  private readonly message: Uint8Array;
  private readonly digestBytes: Uint8Array;
  private readonly digestWords: Int32Array;

  constructor() {
    this.ctx = newInstance();
    this.message = new Uint8Array(this.ctx.memory.buffer, this.ctx.input.value, 37);
    this.digestBytes = new Uint8Array(this.ctx.memory.buffer, this.ctx.output.value, 32);
    this.digestWords = new Int32Array(this.ctx.memory.buffer, this.ctx.output.value, 8);
  }

  setSeed(seed: Uint8Array): void {
    this.message.set(seed, 0);
  }

  /** bytes_to_uint64(hash(seed + uint_to_bytes(uint8(round)))[0:8]) % n */
  pivot(round: number, n: number): number {
    this.message[32] = round;
    this.ctx.digest(33);
    const d = this.digestBytes;
    const lo = ((d[0] as number) | ((d[1] as number) << 8) | ((d[2] as number) << 16) | ((d[3] as number) << 24)) >>> 0;
    const hi = ((d[4] as number) | ((d[5] as number) << 8) | ((d[6] as number) << 16) | ((d[7] as number) << 24)) >>> 0;
    // (hi * 2^32 + lo) % n exactly: split into 16-bit steps so no product exceeds 2^53 for n < 2^32.
    let r = hi % n;
    r = (r * 65536 + (lo >>> 16)) % n;
    r = (r * 65536 + (lo & 0xffff)) % n;
    return r;
  }

  /**
   * Writes hash(seed + uint8(round) + uint32(block)) for `count` blocks from `firstBlock` into `dest` as 8 words
   * each from word `destWord` on. The words are copied byte for byte (host order in, host order out), so `dest`
   * read as bytes is the spec's bit stream.
   */
  sourceBlocks(round: number, firstBlock: number, count: number, dest: Int32Array, destWord: number): void {
    const m = this.message;
    const w = this.digestWords;
    m[32] = round;
    let o = destWord;
    for (let block = firstBlock, end = firstBlock + count; block < end; block++) {
      m[33] = block & 0xff;
      m[34] = (block >>> 8) & 0xff;
      m[35] = (block >>> 16) & 0xff;
      m[36] = block >>> 24;
      this.ctx.digest(37);
      dest[o] = w[0] as number;
      dest[o + 1] = w[1] as number;
      dest[o + 2] = w[2] as number;
      dest[o + 3] = w[3] as number;
      dest[o + 4] = w[4] as number;
      dest[o + 5] = w[5] as number;
      dest[o + 6] = w[6] as number;
      dest[o + 7] = w[7] as number;
      o += 8;
    }
  }

  /** Hashes everything `layout` needs for `round` into dest: segment 1's blocks, then segment 2's. */
  roundSources(round: number, layout: RoundLayout, dest: Int32Array, destWord: number): void {
    this.sourceBlocks(round, layout.firstBlock1, layout.blocks1, dest, destWord);
    this.sourceBlocks(round, layout.firstBlock2, layout.blocks2, dest, destWord + layout.blocks1 * 8);
  }
}

let threadHasher: RoundHasher | undefined;

/** This thread's hasher (one WebAssembly instance per thread, reused). */
export function roundHasher(): RoundHasher {
  threadHasher ??= new RoundHasher();
  return threadHasher;
}
