/**
 * A single-producer, single-consumer ring of byte records in a SharedArrayBuffer: how a worker's encoded
 * results (`resultCodec.ts`) reach the committing thread without a message each. Posting a result cost the worker
 * ~16 µs and receiving it the committing thread ~25 µs (a transferred buffer through a MessagePort); here the
 * worker copies the bytes in and publishes them with one atomic store, and the committing thread decodes them in
 * place. A record that does not fit (the ring is full, or the record is larger than half of it) is refused, and
 * the caller posts it as before.
 *
 * Layout: two Int32 counters (bytes written, bytes read; they wrap at 2^32, and the capacity, a power of two,
 * divides that), then the data. A record is [length u32][block id u32][bytes], padded to 4 bytes; a length of
 * WRAP means the rest of the data area is unused and the next record starts at its beginning. Written by hand: no
 * library offers this over worker_threads' SharedArrayBuffer.
 */

const WRITTEN = 0;
const READ = 1;
const HEADER = 8;
const WRAP = 0xffffffff;
/** 4 MiB: a few hundred results of the largest mainnet transactions, thousands of ERC20 transfers. */
export const DEFAULT_RING_BYTES = 1 << 22;

const padded = (n: number) => (n + 3) & ~3;

export class ResultRing {
  readonly buffer: SharedArrayBuffer;
  readonly #counters: Int32Array;
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  readonly #capacity: number;

  /** A new ring of `capacity` data bytes (a power of two, at least 64), or one over a buffer another made. */
  constructor(from: number | SharedArrayBuffer = DEFAULT_RING_BYTES) {
    const capacity = typeof from === "number" ? from : from.byteLength - HEADER;
    if (!Number.isInteger(capacity) || capacity < 64 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`a result ring's capacity must be a power of two of at least 64 bytes, not ${capacity}`);
    }
    this.buffer = typeof from === "number" ? new SharedArrayBuffer(HEADER + capacity) : from;
    this.#counters = new Int32Array(this.buffer, 0, 2);
    this.#view = new DataView(this.buffer, HEADER, capacity);
    this.#bytes = new Uint8Array(this.buffer, HEADER, capacity);
    this.#capacity = capacity;
  }

  /** Appends a record (the producer's side); false when it does not fit, and nothing is written. */
  write(blockId: number, record: Uint8Array): boolean {
    const capacity = this.#capacity;
    const need = 8 + padded(record.length);
    if (need > capacity / 2) return false;
    let written = Atomics.load(this.#counters, WRITTEN);
    const used = (written - Atomics.load(this.#counters, READ)) | 0;
    let at = written & (capacity - 1);
    const skip = at + need > capacity ? capacity - at : 0;
    if (used + skip + need > capacity) return false;
    if (skip > 0) {
      this.#view.setUint32(at, WRAP);
      written = (written + skip) | 0;
      at = 0;
    }
    this.#view.setUint32(at, record.length);
    this.#view.setUint32(at + 4, blockId >>> 0);
    this.#bytes.set(record, at + 8);
    // Published after its bytes: the consumer's atomic load of the counter sees them.
    Atomics.store(this.#counters, WRITTEN, (written + need) | 0);
    return true;
  }

  /**
   * Hands every record written so far to `each` (the consumer's side), in order. The bytes are the ring's own and
   * are reused once `each` returns: whatever must outlive the call is copied out (decoding does).
   */
  drain(each: (blockId: number, record: Uint8Array) => void): void {
    const capacity = this.#capacity;
    const written = Atomics.load(this.#counters, WRITTEN);
    let read = Atomics.load(this.#counters, READ);
    while (read !== written) {
      const at = read & (capacity - 1);
      const length = this.#view.getUint32(at);
      if (length === WRAP) {
        read = (read + capacity - at) | 0;
        continue;
      }
      each(this.#view.getUint32(at + 4), this.#bytes.subarray(at + 8, at + 8 + length));
      read = (read + 8 + padded(length)) | 0;
      Atomics.store(this.#counters, READ, read);
    }
    Atomics.store(this.#counters, READ, read);
  }
}
