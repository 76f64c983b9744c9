/**
 * State keys as small integers: an account field (`<address>#<field bit>`) or a storage slot
 * (`<address>:<slot>`), numbered once and kept, so that the hot paths of building (grouping orders by conflict,
 * checking a replay against a block's last writers) work on numbers instead of building and hashing long
 * strings. The same keys come back in every build of a block, and each access set's keys are made once
 * (`keysOf`, cached per set).
 *
 * The table is renumbered from scratch (a new generation) when it grows large, and only where a caller asks
 * (`renumberKeysIfFull`, between groupings): whoever keeps numbers across calls keeps the generation they belong
 * to and starts again when it changed.
 */
import { ACCOUNT_STORAGE, type AccessSet } from "../../execution/state/access.js";

const FIELD_BITS = [1, 2, 4, 8, 16] as const;
const MAX_KEYS = 4_000_000;

let keyIds = new Map<string, number>();
let generation = 0;

/** The generation of the numbers `keyId` and `keysOf` give now. */
export function keyGeneration(): number {
  return generation;
}

/**
 * Starts a new numbering when the table holds more than `limit` keys (default 4 M): earlier numbers mean nothing
 * after it.
 */
export function renumberKeysIfFull(limit = MAX_KEYS): void {
  if (keyIds.size <= limit) return;
  keyIds = new Map();
  generation++;
}

export function keyId(key: string): number {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = keyIds.size;
    keyIds.set(key, id);
  }
  return id;
}

export interface SetKeys {
  generation: number;
  ids: Int32Array;
  /** 1 where the key is an account's "has storage" flag. */
  flags: Uint8Array;
}

/** The keys of an access set, made once per set (per generation). */
const keyCache = new WeakMap<AccessSet, SetKeys>();

export function keysOf(set: AccessSet): SetKeys {
  const known = keyCache.get(set);
  if (known !== undefined && known.generation === generation) return known;
  const ids: number[] = [];
  const flags: number[] = [];
  for (const [address, mask] of set.accounts) {
    for (const bit of FIELD_BITS) {
      if (!(mask & bit)) continue;
      ids.push(keyId(`${address}#${bit}`));
      flags.push(bit === ACCOUNT_STORAGE ? 1 : 0);
    }
  }
  for (const [address, slots] of set.storage) {
    for (const slot of slots) {
      ids.push(keyId(`${address}:${slot}`));
      flags.push(0);
    }
  }
  const keys = { generation, ids: Int32Array.from(ids), flags: Uint8Array.from(flags) };
  keyCache.set(set, keys);
  return keys;
}
