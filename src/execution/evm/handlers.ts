/**
 * Opcode handlers for weft's tuned EVMs that compute exactly what `@ethereumjs/evm`'s do, without its way of
 * turning a stack word into 32 bytes: `setLengthLeft(bigIntToBytes(word), 32)` goes through a hex string and,
 * for any word shorter than 32 bytes (most keys, offsets and small values), pads it by spreading both arrays
 * into a JavaScript array. That padding alone was the largest single cost of an ERC20 transfer after the
 * interpreter loop (7–9 % of a block, and garbage for both threads of a parallel run).
 *
 * Replaced, per EVM (the stock engine keeps the library's handlers):
 * - MSTORE: the word is written big-endian into a scratch buffer that `Memory.write` copies;
 * - SLOAD (the operation and its EIP-2929 gas function) and LOG0–LOG4: keys and topics built with `wordBytes`.
 *
 * Each function below is the library's, line for line, with only those changes; the opcode table is rebuilt by
 * the library when the hardfork changes, and `installHandlers` is run again then. ethereumjs offers no way to
 * change how words become bytes, so this is written by hand.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

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
}
export interface RunState {
  stack: Stack;
  memory: Memory;
  opCode: number;
  env: {
    accessWitness?: { readAccountStorage(address: unknown, key: bigint): bigint };
  };
  interpreter: {
    storageLoad(key: Uint8Array): Promise<Uint8Array>;
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
    return {
      libraryOps: functions.handlers,
      libraryGas: gas.dynamicGasHandlers,
      accessStorageEIP2929: eip2929.accessStorageEIP2929,
      bytesToBigInt: util.bytesToBigInt,
    };
  })();
  return internals;
}

const scratch = new Uint8Array(32);

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
