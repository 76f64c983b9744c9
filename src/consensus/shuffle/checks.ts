import { ConsensusError } from "../errors.js";

/** The most indices a whole-list shuffle takes: its list and hashes must fit one 4 GiB WebAssembly memory. */
export const MAX_SHUFFLE_LIST_SIZE = 2 ** 29;

export function assertSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new ConsensusError("INVALID_SEED", "a shuffling seed must be 32 bytes", {
      details: `got ${seed instanceof Uint8Array ? `${seed.length} bytes` : typeof seed}`,
    });
  }
}

export function assertRounds(rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > 255) {
    throw new ConsensusError("INVALID_ROUNDS", "the shuffle round count must be an integer in 0..255", {
      details: `got ${rounds}`,
    });
  }
}

export function assertListSize(size: number): void {
  if (size > MAX_SHUFFLE_LIST_SIZE) {
    throw new ConsensusError("LIST_TOO_LARGE", `a whole-list shuffle takes at most ${MAX_SHUFFLE_LIST_SIZE} indices`, {
      details: `got ${size}`,
    });
  }
}
