/**
 * compute_shuffled_index as the phase0 spec writes it, one index through all rounds: the reference every faster
 * path is tested against, and the way to place a handful of indices (proposer selection).
 * https://github.com/ethereum/consensus-specs/blob/dev/specs/phase0/beacon-chain.md#compute_shuffled_index
 *
 *   def compute_shuffled_index(index, index_count, seed):
 *       assert index < index_count
 *       for current_round in range(SHUFFLE_ROUND_COUNT):
 *           pivot = bytes_to_uint64(hash(seed + uint_to_bytes(uint8(current_round)))[0:8]) % index_count
 *           flip = (pivot + index_count - index) % index_count
 *           position = max(index, flip)
 *           source = hash(seed + uint_to_bytes(uint8(current_round)) + uint_to_bytes(uint32(position // 256)))
 *           byte = uint8(source[(position % 256) // 8])
 *           bit = (byte >> (position % 8)) % 2
 *           index = flip if bit else index
 *       return index
 */
import { digest } from "@chainsafe/as-sha256";
import { ConsensusError } from "../errors.js";
import { assertRounds, assertSeed } from "./checks.js";

export function computeShuffledIndex(index: number, indexCount: number, seed: Uint8Array, rounds: number): number {
  assertSeed(seed);
  assertRounds(rounds);
  assertIndex(index, indexCount);
  const pivotInput = new Uint8Array(33);
  pivotInput.set(seed);
  const sourceInput = new Uint8Array(37);
  sourceInput.set(seed);
  const count = BigInt(indexCount);
  for (let round = 0; round < rounds; round++) {
    pivotInput[32] = round;
    const pivot = Number(bytesToUint64(digest(pivotInput)) % count);
    const flip = (pivot + indexCount - index) % indexCount;
    const position = Math.max(index, flip);
    sourceInput[32] = round;
    new DataView(sourceInput.buffer).setUint32(33, Math.floor(position / 256), true);
    const source = digest(sourceInput);
    const byte = source[Math.floor((position % 256) / 8)] as number;
    const bit = (byte >> (position % 8)) % 2;
    index = bit ? flip : index;
  }
  return index;
}

/**
 * compute_shuffled_index for many indices of one (seed, count): the pivots are hashed once, and source hashes are
 * kept by (round, block), since indices that start close stay close for the first rounds. Same results as
 * computeShuffledIndex; used where a few indices of a list are needed (proposer selection) and a whole-list
 * shuffle would be wasted.
 */
export class ShuffledIndexComputer {
  private readonly pivots: number[] = [];
  private readonly sources = new Map<number, Uint8Array>();
  private readonly sourceInput = new Uint8Array(37);

  constructor(
    seed: Uint8Array,
    private readonly indexCount: number,
    private readonly rounds: number,
  ) {
    assertSeed(seed);
    assertRounds(rounds);
    if (!Number.isSafeInteger(indexCount) || indexCount <= 0) {
      throw new ConsensusError("INDEX_OUT_OF_RANGE", "the index count must be a positive integer", {
        details: `got ${indexCount}`,
      });
    }
    const pivotInput = new Uint8Array(33);
    pivotInput.set(seed);
    const count = BigInt(indexCount);
    for (let round = 0; round < rounds; round++) {
      pivotInput[32] = round;
      this.pivots.push(Number(bytesToUint64(digest(pivotInput)) % count));
    }
    this.sourceInput.set(seed);
  }

  get(index: number): number {
    const n = this.indexCount;
    assertIndex(index, n);
    for (let round = 0; round < this.rounds; round++) {
      const flip = ((this.pivots[round] as number) + n - index) % n;
      const position = Math.max(index, flip);
      const source = this.source(round, Math.floor(position / 256));
      const bit = ((source[Math.floor((position % 256) / 8)] as number) >> (position % 8)) & 1;
      index = bit ? flip : index;
    }
    return index;
  }

  private source(round: number, block: number): Uint8Array {
    // round < 256 and block < 2^32: the pair packs into one safe integer key.
    const key = block * 256 + round;
    let source = this.sources.get(key);
    if (source === undefined) {
      this.sourceInput[32] = round;
      new DataView(this.sourceInput.buffer).setUint32(33, block, true);
      source = digest(this.sourceInput);
      this.sources.set(key, source);
    }
    return source;
  }
}

function assertIndex(index: number, indexCount: number): void {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(indexCount) || index < 0 || index >= indexCount) {
    throw new ConsensusError("INDEX_OUT_OF_RANGE", "compute_shuffled_index needs 0 <= index < index_count", {
      details: `index ${index}, index_count ${indexCount}`,
    });
  }
}

/** bytes_to_uint64: the first 8 bytes, little-endian. */
export function bytesToUint64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}
