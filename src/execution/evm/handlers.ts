/**
 * Opcode handlers for weft's tuned EVMs that compute exactly what `@ethereumjs/evm`'s do, without its way of
 * turning a stack word into 32 bytes: `setLengthLeft(bigIntToBytes(word), 32)` goes through a hex string and,
 * for any word shorter than 32 bytes (most keys, offsets and small values), pads it by spreading both arrays
 * into a JavaScript array. That padding alone was the largest single cost of an ERC20 transfer after the
 * interpreter loop (7–9 % of a block, and garbage for both threads of a parallel run).
 *
 * Replaced, per EVM (the stock engine keeps the library's handlers):
 * - MSTORE: the word is written big-endian into a scratch buffer that `Memory.write` copies;
 * - SLOAD (the operation and its EIP-2929 gas function) and LOG0–LOG4: keys and topics built with `wordBytes`;
 * - SSTORE (the operation and its gas function): the key built with `wordBytes`, the value's shortest bytes
 *   without a hex string, and the slot values the gas rules compare padded without spreading (`storageWord`).
 *   Where an EIP whose branches these leave out is active (EIP-8037/8038 state gas, 7928 block access lists,
 *   6800/7864 witnesses), the library's own SSTORE runs.
 *
 * Each function below is the library's, line for line, with only those changes; the opcode table is rebuilt by
 * the library when the hardfork changes, and `installHandlers` is run again then. ethereumjs offers no way to
 * change how words become bytes, so this is written by hand.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Hardfork } from "@ethereumjs/common";

/** `value` (0 ≤ value < 2^256) as 32 big-endian bytes, written into `out` at `at`, which must be zeros. */
export function writeWord(value: bigint, out: Uint8Array, at = 0): void {
  if (value <= 0xffffffffffffn) {
    // Up to 48 bits: exact in a double, no BigInt arithmetic.
    let v = Number(value);
    for (let i = at + 31; v > 0; i--) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, 32);
  view.setBigUint64(24, BigInt.asUintN(64, value));
  view.setBigUint64(16, BigInt.asUintN(64, value >> 64n));
  view.setBigUint64(8, BigInt.asUintN(64, value >> 128n));
  view.setBigUint64(0, value >> 192n);
}

/** `value` (0 ≤ value < 2^256) as a new 32-byte big-endian array: `setLengthLeft(bigIntToBytes(value), 32)`. */
export function wordBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeWord(value, out);
  return out;
}

interface Stack {
  pop(): bigint;
  popN(n: number): bigint[];
  peek(n?: number): bigint[];
  push(value: bigint): void;
}
interface Memory {
  write(offset: number, size: number, value: Uint8Array): void;
  read(offset: number, size: number): Uint8Array;
}
interface Common {
  isActivatedEIP(eip: number): boolean;
  hardfork(): string;
  gteHardfork(hardfork: string): boolean;
}
export interface RunState {
  stack: Stack;
  memory: Memory;
  opCode: number;
  env: {
    accessWitness?: { readAccountStorage(address: unknown, key: bigint): bigint };
  };
  interpreter: {
    storageLoad(key: Uint8Array, original?: boolean, trackBAL?: boolean): Promise<Uint8Array>;
    storageStore(key: Uint8Array, value: Uint8Array): Promise<void>;
    isStatic(): boolean;
    log(data: Uint8Array, topicsCount: number, topics: Uint8Array[]): void;
    getAddress(): unknown;
  };
}
type OpHandler = (runState: RunState, common: Common) => unknown;
type GasHandler = (runState: RunState, gas: bigint, common: Common) => Promise<bigint>;
interface OpEntry {
  opcodeInfo: { code: number };
  opHandler: OpHandler;
  gasHandler?: GasHandler;
}

/** What the library's handlers use and `@ethereumjs/evm` does not export: loaded from the same modules. */
interface Internals {
  /** The library's handler tables, to recognise its own entries (custom opcodes are left alone). */
  libraryOps: Map<number, OpHandler>;
  libraryGas: Map<number, GasHandler>;
  accessStorageEIP2929(runState: RunState, key: Uint8Array, isSstore: boolean, common: Common, charge: boolean): bigint;
  bytesToBigInt(bytes: Uint8Array): bigint;
  updateSstoreGasEIP1283(
    runState: RunState,
    current: Uint8Array,
    original: Uint8Array,
    value: Uint8Array,
    common: Common,
  ): bigint;
  updateSstoreGasEIP2200(
    runState: RunState,
    current: Uint8Array,
    original: Uint8Array,
    value: Uint8Array,
    key: Uint8Array,
    common: Common,
  ): bigint;
  updateSstoreGas(runState: RunState, current: Uint8Array, value: Uint8Array, common: Common): bigint;
  /** Throws the EVM error for a message (an opcode's failure). */
  trap(message: string): never;
  STATIC_STATE_CHANGE: string;
}

/**
 * One of `@ethereumjs/evm`'s own ES modules, by its path under `dist/esm` (the package exports only its index):
 * the same module instance the EVM itself imports.
 */
export async function importEvmModule<T>(path: string): Promise<T> {
  const cjsEntry = createRequire(import.meta.url).resolve("@ethereumjs/evm");
  return (await import(pathToFileURL(join(dirname(cjsEntry), "..", "esm", path)).href)) as T;
}

let internals: Promise<Internals> | undefined;

/** Loads the library's handler tables and EIP-2929 helper, and `bytesToBigInt`. */
export function loadInternals(): Promise<Internals> {
  internals ??= (async () => {
    const eip2929 = await importEvmModule<Pick<Internals, "accessStorageEIP2929">>("opcodes/EIP2929.js");
    const functions = await importEvmModule<{ handlers: Map<number, OpHandler> }>("opcodes/functions.js");
    const gas = await importEvmModule<{ dynamicGasHandlers: Map<number, GasHandler> }>("opcodes/gas.js");
    const util = (await import("@ethereumjs/util")) as unknown as Pick<Internals, "bytesToBigInt">;
    const eip1283 = await importEvmModule<Pick<Internals, "updateSstoreGasEIP1283">>("opcodes/EIP1283.js");
    const eip2200 = await importEvmModule<Pick<Internals, "updateSstoreGasEIP2200">>("opcodes/EIP2200.js");
    const opUtil = await importEvmModule<Pick<Internals, "updateSstoreGas" | "trap">>("opcodes/util.js");
    const { EVMError } = await importEvmModule<{ EVMError: { errorMessages: Record<string, string> } }>("errors.js");
    return {
      libraryOps: functions.handlers,
      libraryGas: gas.dynamicGasHandlers,
      accessStorageEIP2929: eip2929.accessStorageEIP2929,
      bytesToBigInt: util.bytesToBigInt,
      updateSstoreGasEIP1283: eip1283.updateSstoreGasEIP1283,
      updateSstoreGasEIP2200: eip2200.updateSstoreGasEIP2200,
      updateSstoreGas: opUtil.updateSstoreGas,
      trap: opUtil.trap,
      STATIC_STATE_CHANGE: EVMError.errorMessages.STATIC_STATE_CHANGE as string,
    };
  })();
  return internals;
}

const scratch = new Uint8Array(32);

/** `value` (0 < value < 2^256) as its shortest big-endian bytes: the library's `bigIntToBytes`, no hex string. */
export function shortestBytes(value: bigint): Uint8Array {
  const word = wordBytes(value);
  let first = 0;
  while (first < 31 && word[first] === 0) first++;
  return word.slice(first);
}

/**
 * The library's `setLengthLeftStorage`: empty for a zero value (any length), else the value left-padded to 32
 * bytes (the same array when it has 32 already; longer ones throw, as `setLengthLeft` does). Padding writes into
 * a new array instead of spreading both into a JavaScript array.
 */
export function storageWord(value: Uint8Array): Uint8Array {
  let zero = true;
  for (let i = 0; i < value.length && zero; i++) zero = value[i] === 0;
  if (zero) return new Uint8Array(0);
  if (value.length === 32) return value;
  if (value.length > 32)
    throw new Error(`Input length ${value.length} exceeds target length 32. Use allowTruncate option to truncate.`);
  const out = new Uint8Array(32);
  out.set(value, 32 - value.length);
  return out;
}

/** EIPs whose SSTORE branches weft's handlers leave out: with one active, the library's SSTORE runs. */
const SPECIAL_SSTORE_EIPS = [6800, 7864, 7928, 8037, 8038];

function specialSstore(common: Common): boolean {
  for (const eip of SPECIAL_SSTORE_EIPS) if (common.isActivatedEIP(eip)) return true;
  return false;
}

interface Replacements {
  lib: Internals;
  ops: Map<number, OpHandler>;
  gas: Map<number, GasHandler>;
}

function handlers(lib: Internals): Replacements {
  const ops = new Map<number, OpHandler>();
  const gas = new Map<number, GasHandler>();

  // 0x52 MSTORE: Memory.write copies the value into its store, so one scratch buffer serves every call.
  ops.set(0x52, (runState) => {
    const [offset, word] = runState.stack.popN(2) as [bigint, bigint];
    scratch.fill(0);
    writeWord(word, scratch);
    runState.memory.write(Number(offset), 32, scratch);
  });

  // 0x54 SLOAD
  ops.set(0x54, async (runState) => {
    const key = runState.stack.pop();
    const value = await runState.interpreter.storageLoad(wordBytes(key));
    runState.stack.push(value.length ? lib.bytesToBigInt(value) : 0n);
  });
  gas.set(0x54, async (runState, fee, common) => {
    let gasUsed = fee;
    const key = runState.stack.peek()[0] as bigint;
    const keyBuf = wordBytes(key);
    let charge2929Gas = true;
    if (common.isActivatedEIP(6800) || common.isActivatedEIP(7864)) {
      const address = runState.interpreter.getAddress();
      const coldAccessGas = (
        runState.env.accessWitness as NonNullable<RunState["env"]["accessWitness"]>
      ).readAccountStorage(address, key);
      gasUsed += coldAccessGas;
      charge2929Gas = coldAccessGas === 0n;
    }
    if (common.isActivatedEIP(2929)) {
      gasUsed += lib.accessStorageEIP2929(runState, keyBuf, false, common, charge2929Gas);
    }
    return gasUsed;
  });

  // 0x55 SSTORE
  const librarySstore = lib.libraryOps.get(0x55) as OpHandler;
  ops.set(0x55, async (runState, common) => {
    if (specialSstore(common)) return librarySstore(runState, common);
    const [key, val] = runState.stack.popN(2) as [bigint, bigint];
    const keyBuf = wordBytes(key);
    const value = val === 0n ? new Uint8Array(0) : shortestBytes(val);
    await runState.interpreter.storageStore(keyBuf, value);
  });
  const librarySstoreGas = lib.libraryGas.get(0x55) as GasHandler;
  gas.set(0x55, async (runState, fee, common) => {
    if (specialSstore(common)) return librarySstoreGas(runState, fee, common);
    let gasUsed = fee;
    if (runState.interpreter.isStatic()) lib.trap(lib.STATIC_STATE_CHANGE);
    const [key, val] = runState.stack.peek(2) as [bigint, bigint];
    const keyBytes = wordBytes(key);
    const value = val === 0n ? new Uint8Array(0) : shortestBytes(val);
    const currentStorage = storageWord(await runState.interpreter.storageLoad(keyBytes, false, false));
    const originalStorage = storageWord(await runState.interpreter.storageLoad(keyBytes, true, false));
    if (common.hardfork() === Hardfork.Constantinople) {
      gasUsed += lib.updateSstoreGasEIP1283(runState, currentStorage, originalStorage, storageWord(value), common);
    } else if (common.gteHardfork(Hardfork.Istanbul)) {
      gasUsed += lib.updateSstoreGasEIP2200(
        runState,
        currentStorage,
        originalStorage,
        storageWord(value),
        keyBytes,
        common,
      );
    } else {
      gasUsed += lib.updateSstoreGas(runState, currentStorage, storageWord(value), common);
    }
    if (common.isActivatedEIP(2929)) {
      gasUsed += lib.accessStorageEIP2929(runState, keyBytes, true, common, true);
    }
    return gasUsed;
  });

  // 0xa0–0xa4 LOG0–LOG4
  const log: OpHandler = (runState) => {
    const [memOffset, memLength] = runState.stack.popN(2) as [bigint, bigint];
    const topicsCount = runState.opCode - 0xa0;
    const topics = runState.stack.popN(topicsCount).map(wordBytes);
    let mem: Uint8Array = new Uint8Array(0);
    if (memLength !== 0n) mem = runState.memory.read(Number(memOffset), Number(memLength));
    runState.interpreter.log(mem, topicsCount, topics);
  };
  for (let op = 0xa0; op <= 0xa4; op++) ops.set(op, log);
  return { lib, ops, gas };
}

let table: Replacements | undefined;

interface EvmTables {
  _opcodeMap: OpEntry[];
}

/**
 * Puts the handlers above into an EVM's opcode table, in place of the library's for the same opcodes. An entry
 * whose handler is not the library's own (a custom opcode) is left alone.
 */
export async function installHandlers(evm: EvmTables): Promise<void> {
  table ??= handlers(await loadInternals());
  replace(evm, table);
}

/** Installs again after the library rebuilds the table (a hardfork change); `installHandlers` must have run. */
export function reinstallHandlers(evm: EvmTables): void {
  if (table !== undefined) replace(evm, table);
}

function replace(evm: EvmTables, { lib, ops, gas }: Replacements): void {
  const map = evm._opcodeMap;
  for (const [op, handler] of ops) {
    const entry = map[op];
    if (entry !== undefined && entry.opHandler === lib.libraryOps.get(op)) entry.opHandler = handler;
  }
  for (const [op, handler] of gas) {
    const entry = map[op];
    if (entry !== undefined && entry.gasHandler === lib.libraryGas.get(op)) entry.gasHandler = handler;
  }
}
