/**
 * The seeded pseudo-random generator behind every workload choice (amounts, directions, which transactions are
 * hot, block order): xoshiro128** (Blackman and Vigna), seeded from keccak256 of a label and the seed, so a
 * workload is a pure function of its options. Written by hand: it is ten lines, and the well-kept libraries
 * that carry one (`pure-rand`) are development-only dependencies here.
 */
import { keccak256 } from "../../execution/crypto/native.js";

const TEXT = new TextEncoder();

export class Random {
  readonly #s = new Uint32Array(4);

  constructor(seed: number, label: string) {
    const material = new Uint8Array(label.length + 8);
    material.set(TEXT.encode(label), 0);
    new DataView(material.buffer).setBigUint64(label.length, BigInt(seed));
    const digest = keccak256(material);
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    for (let i = 0; i < 4; i++) this.#s[i] = view.getUint32(4 * i);
    // An all-zero state would stay zero forever.
    if (this.#s.every((word) => word === 0)) this.#s[0] = 1;
  }

  /** The next 32 random bits (xoshiro128**). */
  u32(): number {
    const s = this.#s;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ (s[2] as number);
    s[0] = s0 ^ (s[3] as number);
    s[2] = (s[2] as number) ^ t;
    s[3] = rotl(s[3] as number, 11);
    return result;
  }

  /** An integer in [0, bound), bound at most 2^32 (multiply-shift: bias below 2^-32 · bound, irrelevant here). */
  int(bound: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * bound);
  }

  /** A bigint in [min, max], uniform up to a negligible bias (64 more bits than the range needs). */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    let bits = 0n;
    let acc = 0n;
    while (1n << bits < span << 64n) {
      acc = (acc << 32n) | BigInt(this.u32());
      bits += 32n;
    }
    return min + (acc % span);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.u32();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
