/**
 * The two RLP encoders the sealing hot paths need, writing into one buffer: a byte string, and a list of items
 * already encoded. ethereumjs's generic `RLP.encode` walks nested arrays and concatenates at every level; trie
 * nodes and receipts are built from parts encoded once (and, for receipts' logs, cached across seals).
 */

/** Length of the RLP header for a payload of `n` bytes (strings: short 0x80, long 0xb7; lists 0xc0, 0xf7). */
function headerLength(n: number): number {
  if (n < 56) return 1;
  let bytes = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes++;
  return 1 + bytes;
}

function writeHeader(out: Uint8Array, at: number, n: number, short: number, long: number): number {
  if (n < 56) {
    out[at] = short + n;
    return at + 1;
  }
  const h = headerLength(n) - 1;
  out[at] = long + h;
  for (let i = h; i > 0; i--) {
    out[at + i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  return at + 1 + h;
}

/** The RLP item encoding a byte string. */
export function encodeBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && (bytes[0] as number) < 0x80) return bytes;
  const out = new Uint8Array(headerLength(bytes.length) + bytes.length);
  out.set(bytes, writeHeader(out, 0, bytes.length, 0x80, 0xb7));
  return out;
}

/** The RLP list of already-encoded items. */
export function encodeList(items: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const item of items) n += item.length;
  const out = new Uint8Array(headerLength(n) + n);
  let at = writeHeader(out, 0, n, 0xc0, 0xf7);
  for (const item of items) {
    out.set(item, at);
    at += item.length;
  }
  return out;
}

let scratch = new Uint8Array(4096);

/**
 * `encodeList` into a buffer shared by every call: the result is only valid until the next call, for an encoding
 * that is hashed (or copied) at once, as trie nodes are. A trie seal encodes thousands of nodes of up to 532
 * bytes; writing them all into one buffer spares the garbage collector.
 */
export function encodeListTransient(items: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const item of items) n += item.length;
  const size = headerLength(n) + n;
  if (size > scratch.length) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  let at = writeHeader(scratch, 0, n, 0xc0, 0xf7);
  for (const item of items) {
    scratch.set(item, at);
    at += item.length;
  }
  return scratch.subarray(0, size);
}
