/**
 * A speculative result as one byte buffer, for the trip from a worker to the committing thread. Structured clone
 * took 46 µs to write and 53 µs to read an ERC20 transfer's result (1.8 kB: a few dozen maps, sets, strings,
 * bigints and byte arrays, each a separate object to the serializer), and the reading side is the committing
 * thread, the one every speculated transaction waits on. This writes the same values into one buffer that is
 * transferred, not copied, and read back into equal objects with their keys in the same order.
 *
 * Only the shapes weft produces are encoded: receipts with the fields ethereumjs gives (status or state root,
 * cumulative gas, bloom, logs, blob gas), account records of nonce, balance and code hash. Anything else returns
 * undefined from `encodeResult`, and that result travels by structured clone as before. No library does this for
 * these types; written by hand.
 */
import type { Log } from "@ethereumjs/evm";
import type { TxReceipt } from "@ethereumjs/vm";
import type { AccessSet } from "../state/access.js";
import type { AccountRecord } from "../state/layer.js";
import type { SpeculativeResult } from "./speculate.js";
import type { StateDiff } from "./stateDiff.js";

const RECEIPT_KEYS = [
  "status",
  "stateRoot",
  "cumulativeBlockGasUsed",
  "bitvector",
  "logs",
  "blobGasUsed",
  "blobGasPrice",
];
const RECORD_KEYS = ["nonce", "balance", "codeHash"];

class Writer {
  bytes: Buffer = Buffer.alloc(4096);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  at = 0;

  /** Empties the writer for the next result, keeping its buffer (one per thread, reused: no 4 kB per result). */
  reset(): void {
    this.at = 0;
    this.#strings.clear();
  }

  #room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + n) size *= 2;
    const bigger = Buffer.alloc(size);
    bigger.set(this.bytes.subarray(0, this.at));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
  u8(v: number): void {
    this.#room(1);
    this.bytes[this.at++] = v;
  }
  u32(v: number): void {
    this.#room(4);
    this.view.setUint32(this.at, v);
    this.at += 4;
  }
  f64(v: number): void {
    this.#room(8);
    this.view.setFloat64(this.at, v);
    this.at += 8;
  }
  /** Strings already written, by their position: the same key recurs in reads, writes and the diff. */
  readonly #strings = new Map<string, number>();

  /** A string of one-byte characters (hex keys): its bytes the first time, then its position among those. */
  str(s: string): void {
    const seen = this.#strings.get(s);
    if (seen !== undefined) {
      this.u32(seen * 2 + 1);
      return;
    }
    this.#strings.set(s, this.#strings.size);
    this.u32(s.length * 2);
    this.#room(s.length);
    this.at += this.bytes.write(s, this.at, "latin1");
  }
  raw(b: Uint8Array): void {
    this.u32(b.length);
    this.#room(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
  /** A bigint of any sign: below 2^53 as a double (gas, nonces, most balances), else as sign and hex digits. */
  big(v: bigint): void {
    if (v >= 0n && v <= MAX_SAFE) {
      this.u8(SMALL);
      this.f64(Number(v));
      return;
    }
    this.u8(v < 0n ? NEGATIVE : POSITIVE);
    this.str((v < 0n ? -v : v).toString(16));
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SMALL = 2;
const NEGATIVE = 1;
const POSITIVE = 0;

class Reader {
  readonly view: DataView;
  at = 0;
  readonly #latin1: Buffer;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(): number {
    return this.bytes[this.at++] as number;
  }
  u32(): number {
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.at);
    this.at += 8;
    return v;
  }
  readonly #strings: string[] = [];

  str(): string {
    const v = this.u32();
    if ((v & 1) === 1) return this.#strings[v >>> 1] as string;
    const n = v >>> 1;
    const s = this.#latin1.toString("latin1", this.at, this.at + n);
    this.at += n;
    this.#strings.push(s);
    return s;
  }
  raw(): Uint8Array {
    const n = this.u32();
    const b = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return b;
  }
  big(): bigint {
    const tag = this.u8();
    if (tag === SMALL) return BigInt(this.f64());
    const v = BigInt(`0x${this.str()}`);
    return tag === NEGATIVE ? -v : v;
  }
}

function writeAccess(w: Writer, set: AccessSet): void {
  w.u32(set.accounts.size);
  for (const [address, mask] of set.accounts) {
    w.str(address);
    w.u8(mask);
  }
  w.u32(set.storage.size);
  for (const [address, slots] of set.storage) {
    w.str(address);
    w.u32(slots.size);
    for (const slot of slots) w.str(slot);
  }
}

function readAccess(r: Reader): AccessSet {
  const accounts = new Map<string, number>();
  for (let n = r.u32(); n > 0; n--) accounts.set(r.str(), r.u8());
  const storage = new Map<string, Set<string>>();
  for (let n = r.u32(); n > 0; n--) {
    const address = r.str();
    const slots = new Set<string>();
    for (let m = r.u32(); m > 0; m--) slots.add(r.str());
    storage.set(address, slots);
  }
  return { accounts, storage };
}

function sameKeys(object: object, allowed: readonly string[], exact: boolean): boolean {
  const keys = Object.keys(object);
  if (exact) return keys.length === allowed.length && keys.every((k, i) => k === allowed[i]);
  return keys.every((k) => allowed.includes(k));
}

function writeReceipt(w: Writer, receipt: TxReceipt): boolean {
  const keys = Object.keys(receipt);
  if (!sameKeys(receipt, RECEIPT_KEYS, false)) return false;
  w.u32(keys.length);
  const fields = receipt as unknown as Record<string, unknown>;
  for (const key of keys) {
    w.u8(RECEIPT_KEYS.indexOf(key));
    const value = fields[key];
    switch (key) {
      case "status":
        w.u8(value as number);
        break;
      case "stateRoot":
      case "bitvector":
        w.raw(value as Uint8Array);
        break;
      case "logs":
        w.u32((value as Log[]).length);
        for (const [address, topics, data] of value as Log[]) {
          w.raw(address);
          w.u32(topics.length);
          for (const topic of topics) w.raw(topic);
          w.raw(data);
        }
        break;
      default:
        if (typeof value !== "bigint") return false;
        w.big(value);
    }
  }
  return true;
}

function readReceipt(r: Reader): TxReceipt {
  const receipt: Record<string, unknown> = {};
  for (let n = r.u32(); n > 0; n--) {
    const key = RECEIPT_KEYS[r.u8()] as string;
    switch (key) {
      case "status":
        receipt[key] = r.u8();
        break;
      case "stateRoot":
      case "bitvector":
        receipt[key] = r.raw();
        break;
      case "logs": {
        const logs: Log[] = [];
        for (let m = r.u32(); m > 0; m--) {
          const address = r.raw();
          const topics: Uint8Array[] = [];
          for (let t = r.u32(); t > 0; t--) topics.push(r.raw());
          logs.push([address, topics, r.raw()]);
        }
        receipt[key] = logs;
        break;
      }
      default:
        receipt[key] = r.big();
    }
  }
  return receipt as unknown as TxReceipt;
}

function writeDiff(w: Writer, diff: StateDiff): boolean {
  w.u32(diff.accounts.size);
  for (const [key, record] of diff.accounts) {
    w.str(key);
    if (record === null) {
      w.u8(0);
      continue;
    }
    if (!sameKeys(record, RECORD_KEYS, true)) return false;
    w.u8(1);
    w.big(record.nonce);
    w.big(record.balance);
    w.raw(record.codeHash);
  }
  w.u32(diff.storage.size);
  for (const [key, slots] of diff.storage) {
    w.str(key);
    w.u32(slots.size);
    for (const [slot, value] of slots) {
      w.str(slot);
      w.raw(value);
    }
  }
  w.u32(diff.cleared.size);
  for (const key of diff.cleared) w.str(key);
  w.u32(diff.code.size);
  for (const [key, code] of diff.code) {
    w.str(key);
    w.raw(code);
  }
  return true;
}

function readDiff(r: Reader): StateDiff {
  const accounts = new Map<string, AccountRecord | null>();
  for (let n = r.u32(); n > 0; n--) {
    const key = r.str();
    if (r.u8() === 0) accounts.set(key, null);
    else accounts.set(key, { nonce: r.big(), balance: r.big(), codeHash: r.raw() });
  }
  const storage = new Map<string, Map<string, Uint8Array>>();
  for (let n = r.u32(); n > 0; n--) {
    const key = r.str();
    const slots = new Map<string, Uint8Array>();
    for (let m = r.u32(); m > 0; m--) slots.set(r.str(), r.raw());
    storage.set(key, slots);
  }
  const cleared = new Set<string>();
  for (let n = r.u32(); n > 0; n--) cleared.add(r.str());
  const code = new Map<string, Uint8Array>();
  for (let n = r.u32(); n > 0; n--) code.set(r.str(), r.raw());
  return { accounts, storage, cleared, code };
}

/** This thread's writer, reused from result to result. */
const writer = new Writer();

/** The result as bytes, or undefined where it has a shape this does not encode (it then travels as it is). */
export function encodeResult(result: SpeculativeResult): Uint8Array | undefined {
  const view = encodeResultView(result);
  // A copy of its own, to be transferred: the writer's buffer stays here for the next result.
  return view === undefined ? undefined : new Uint8Array(view);
}

/**
 * As `encodeResult`, but the bytes are a view of this thread's writer, valid until the next call: for a caller
 * that copies them somewhere itself (a `ResultRing`).
 */
export function encodeResultView(result: SpeculativeResult): Uint8Array | undefined {
  const w = writer;
  w.reset();
  w.u32(result.index);
  w.u8(result.failed ? 1 : 0);
  w.big(result.gasUsed);
  w.f64(result.ms);
  w.u32(result.version);
  w.u8(result.coinbaseDelta === undefined ? 0 : 1);
  if (result.coinbaseDelta !== undefined) w.big(result.coinbaseDelta);
  writeAccess(w, result.reads);
  writeAccess(w, result.writes);
  w.u8(result.receipt === undefined ? 0 : 1);
  if (result.receipt !== undefined && !writeReceipt(w, result.receipt)) return undefined;
  w.u8(result.diff === undefined ? 0 : 1);
  if (result.diff !== undefined && !writeDiff(w, result.diff)) return undefined;
  return w.bytes.subarray(0, w.at);
}

/** The result `encodeResult` encoded, with its keys in the same order. */
export function decodeResult(bytes: Uint8Array): SpeculativeResult {
  const r = new Reader(bytes);
  const index = r.u32();
  const failed = r.u8() === 1;
  const gasUsed = r.big();
  const ms = r.f64();
  const version = r.u32();
  const coinbaseDelta = r.u8() === 1 ? r.big() : undefined;
  const reads = readAccess(r);
  const writes = readAccess(r);
  const receipt = r.u8() === 1 ? readReceipt(r) : undefined;
  const diff = r.u8() === 1 ? readDiff(r) : undefined;
  return { index, failed, gasUsed, receipt, reads, writes, coinbaseDelta, diff, ms, version };
}
