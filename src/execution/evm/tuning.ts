/**
 * Speed for `@ethereumjs/evm` without changing what it computes. The opcodes, their gas and every state access
 * stay ethereumjs's; what changes, for EVM instances weft marks with `tuneEvm` and nothing else in the process
 * (the stock engine keeps the library's own path), is the dispatch loop of `Interpreter.run`:
 *
 * - Jump-destination analysis is cached per code object: the library redoes it on every call frame, which was
 *   9 % of a mainnet block's time. Weft's state hands out the same `Uint8Array` per code hash for the life of
 *   the process, so a contract's jump destinations and PUSH values are computed once, whatever VM runs it; only
 *   the opcode entries (which belong to one VM's opcode table) are looked up again per table. The analysis avoids
 *   a hardfork lookup per byte.
 * - Opcodes with static gas and a synchronous handler (PUSH, DUP, SWAP, arithmetic, JUMP…, most of what runs)
 *   are executed inline, without `runStep`'s promise and microtask per opcode, and their gas is counted in a
 *   double (exact below 2^53) instead of a BigInt allocated per opcode; the others are dispatched inline in
 *   `runStep`'s order, with the gas left written back to the run state first.
 *
 * The tuned loop is taken only where it is exactly equivalent: legacy bytecode, no step listeners, no debug or
 * profiler, and none of the EIPs whose per-step hooks it leaves out (EOF 3540, verkle/binary-tree witnesses
 * 6800/7864, block access lists 7928, multidimensional gas 8037). Otherwise the original `run` executes.
 * Weft writes this by hand because ethereumjs offers no hook for it.
 */
import { type EVM, EVMError } from "@ethereumjs/evm";
import { installFrames } from "./frames.js";
import { importEvmModule, installHandlers, reinstallHandlers } from "./handlers.js";

const TUNED = Symbol.for("weft.tunedEvm");

interface OpEntry {
  opcodeInfo: {
    code: number;
    fee: number;
    feeBigInt: bigint;
    dynamicGas: boolean;
    isAsync: boolean;
    isInvalid: boolean;
  };
  opHandler: (runState: unknown, common: unknown) => unknown;
  gasHandler?: (runState: unknown, gas: bigint, common: unknown) => Promise<bigint>;
}
interface CodeAnalysis {
  jumps: Uint8Array;
  pushes: Record<number, bigint>;
}
/** The library's analysis: with the opcode entry at each instruction start. */
interface Analysis extends CodeAnalysis {
  opcodesCached: OpEntry[];
}
interface RunState {
  gasLeft: bigint;
  code: Uint8Array;
  programCounter: number;
  opCode: number;
  validJumps: Uint8Array;
  cachedPushes: Record<number, bigint>;
  shouldDoJumpAnalysis: boolean;
  env: { accessWitness?: { commit(): void; revert(): void } };
  /** Set by CALL under EIP-7928 only (untunable): an out-of-gas to raise before the next opcode. */
  eip7928PostTargetCallOog?: unknown;
}
interface InterpreterLike {
  _evm: EVM & { [TUNED]?: boolean; _opcodeMap: object; DEBUG: boolean; events: { listenerCount(e: string): number } };
  _runState: RunState;
  common: { isActivatedEIP(eip: number): boolean };
  profilerOpts?: { enabled?: boolean };
  useGas(amount: bigint, context?: unknown): void;
  runStep(entry?: OpEntry): Promise<void>;
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}
type RunFn = (this: InterpreterLike, code: Uint8Array, opts?: { pc?: number }) => Promise<unknown>;

/** Jump destinations and PUSH values by code object: a function of the code alone. */
const codeAnalyses = new WeakMap<Uint8Array, CodeAnalysis>();

function analyse(code: Uint8Array): CodeAnalysis {
  let analysis = codeAnalyses.get(code);
  if (analysis === undefined) {
    analysis = codeAnalysis(code);
    codeAnalyses.set(code, analysis);
  }
  return analysis;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Big-endian value of `n` bytes of code from `at`, missing bytes past the end read as zero (as PUSH does). */
function pushValue(code: Uint8Array, at: number, n: number): bigint {
  if (n <= 6) {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + (code[at + k] ?? 0);
    return BigInt(v);
  }
  let hex = "0x";
  for (let k = 0; k < n; k++) hex += HEX[code[at + k] ?? 0];
  return BigInt(hex);
}

/**
 * The same result as the library's `_getValidJumpDestinations` (jump destinations, PUSH values by position,
 * opcode entries at instruction starts), computed without a hardfork lookup per byte and without a hex round
 * trip per PUSH. The tuned loop takes the jumps and PUSH values (cached per code) and reads each opcode's entry
 * from the table as it goes; this whole form is what the tests compare with the library's. Valid only where
 * EIP-8024's immediates are inactive (see UNTUNABLE_EIPS).
 */
export function jumpAnalysis(code: Uint8Array, table: Record<number, OpEntry>): Analysis {
  const { jumps, pushes } = analyse(code);
  const opcodesCached: OpEntry[] = new Array(code.length);
  for (let i = 0; i < code.length; i++) {
    const opcode = code[i] as number;
    opcodesCached[i] = table[opcode] as OpEntry;
    if (opcode >= 0x60 && opcode <= 0x7f) i += opcode - 0x5f;
  }
  return { jumps, pushes, opcodesCached };
}

function codeAnalysis(code: Uint8Array): CodeAnalysis {
  const jumps = new Uint8Array(code.length);
  const pushes: Record<number, bigint> = {};
  for (let i = 0; i < code.length; i++) {
    const opcode = code[i] as number;
    if (opcode >= 0x60 && opcode <= 0x7f) {
      const n = opcode - 0x5f;
      pushes[i + 1] = pushValue(code, i + 1, n);
      i += n;
    } else if (opcode === 0x5b) {
      jumps[i] = 1;
    }
  }
  return { jumps, pushes };
}

const UNTUNABLE_EIPS = [3540, 6800, 7864, 7928, 8024, 8037];

function tunable(interp: InterpreterLike, code: Uint8Array): boolean {
  const evm = interp._evm;
  if (evm[TUNED] !== true || evm.DEBUG || interp.profilerOpts?.enabled === true) return false;
  if (evm.events.listenerCount("step") > 0) return false;
  for (const eip of UNTUNABLE_EIPS) if (interp.common.isActivatedEIP(eip)) return false;
  return code.length > 0;
}

const STOP = EVMError.errorMessages.STOP;

/** The GAS opcode: the one static, synchronous opcode whose handler reads the gas left. */
const GAS = 0x5a;
const MAX_EXACT_GAS = BigInt(Number.MAX_SAFE_INTEGER);

function tunedRun(original: RunFn): RunFn {
  return async function run(this: InterpreterLike, code, opts = {}) {
    const rs = this._runState;
    if (!tunable(this, code) || rs.gasLeft > MAX_EXACT_GAS) return original.call(this, code, opts);
    rs.code = code;
    rs.programCounter = opts.pc ?? rs.programCounter;
    const start = rs.programCounter;
    if (start !== 0 && (start < 0 || start >= code.length)) {
      throw new Error("Internal error: program counter not in range");
    }
    const { jumps, pushes } = analyse(code);
    const table = this._evm._opcodeMap as OpEntry[];
    rs.validJumps = jumps;
    rs.cachedPushes = pushes;
    rs.shouldDoJumpAnalysis = false;
    const common = this.common;
    let err: unknown;
    // The gas left, as an exact integer double between the opcodes that read or charge it themselves (dynamic
    // gas, async handlers, GAS): the library subtracts a BigInt per opcode, allocating one each time. It is
    // written back to the run state before each of those and when the loop ends, however it ends.
    let left = Number(rs.gasLeft);
    try {
      while (rs.programCounter < code.length) {
        const entry = table[code[rs.programCounter] as number] as OpEntry;
        const info = entry.opcodeInfo;
        rs.opCode = info.code;
        try {
          if (!info.dynamicGas && !info.isAsync && !info.isInvalid && info.code !== GAS) {
            // `useGas`: charged before the handler runs; out of gas leaves none.
            left -= info.fee;
            if (left < 0) {
              left = 0;
              throw new EVMError(EVMError.errorMessages.OUT_OF_GAS);
            }
            rs.programCounter++;
            entry.opHandler(rs, common);
            rs.env.accessWitness?.commit();
            continue;
          }
          rs.gasLeft = BigInt(left);
          try {
            if (info.isInvalid || rs.eip7928PostTargetCallOog !== undefined) {
              await this.runStep(entry);
            } else {
              // runStep's order, less what `tunable` rules out (step hooks, the profiler, code-chunk gas).
              let gas = info.feeBigInt;
              if (info.dynamicGas) {
                gas = await (entry.gasHandler as NonNullable<OpEntry["gasHandler"]>)(rs, gas, common);
              }
              this.useGas(gas, info);
              rs.programCounter++;
              if (info.isAsync) await entry.opHandler(rs, common);
              else entry.opHandler(rs, common);
              rs.env.accessWitness?.commit();
            }
          } finally {
            left = Number(rs.gasLeft);
          }
        } catch (e) {
          rs.env.accessWitness?.revert();
          const evmError = e as { errorType?: string; error?: string };
          if (typeof e !== "object" || e === null || evmError.errorType !== "EVMError") throw e;
          if (evmError.error !== STOP) err = e;
          break;
        }
      }
    } finally {
      rs.gasLeft = BigInt(left);
    }
    return { runState: rs, exceptionError: err };
  };
}

const EIP_SET = Symbol.for("weft.activatedEipSet");
const EIP_SOURCE = Symbol.for("weft.activatedEipSource");

interface CommonLike {
  isActivatedEIP(eip: number): boolean;
  _activatedEIPsCache: number[];
  [EIP_SET]?: Set<number>;
  [EIP_SOURCE]?: number[];
}

/**
 * `Common.isActivatedEIP` is `_activatedEIPsCache.includes(eip)`: a scan of some 60 EIPs, the whole array for an
 * inactive one, made several times per opcode that touches state and per transaction. This answers from a Set
 * built from that array and rebuilt whenever Common replaces it (it only ever assigns a new array: on a hardfork
 * change or `setEIPs`), so the answer is the library's at every moment.
 */
export function fastEipLookup(common: object): void {
  const target = common as CommonLike;
  target.isActivatedEIP = function isActivatedEIP(this: CommonLike, eip: number): boolean {
    const source = this._activatedEIPsCache;
    let set = this[EIP_SET];
    if (set === undefined || this[EIP_SOURCE] !== source) {
      set = new Set(source);
      this[EIP_SET] = set;
      this[EIP_SOURCE] = source;
    }
    return set.has(eip);
  };
}

let installed: Promise<void> | undefined;

interface InterpreterClass {
  prototype: { run: RunFn; _getValidJumpDestinations(this: unknown, code: Uint8Array): Analysis };
}

/** `@ethereumjs/evm` exports no Interpreter; this loads the same ES module the EVM itself imports. */
export async function loadInterpreter(): Promise<InterpreterClass> {
  return (await importEvmModule<{ Interpreter: InterpreterClass }>("interpreter.js")).Interpreter;
}

/** Patches `Interpreter.prototype.run` once per process; only EVMs marked by `tuneEvm` take the tuned path. */
function install(): Promise<void> {
  installed ??= (async () => {
    const Interpreter = await loadInterpreter();
    Interpreter.prototype.run = tunedRun(Interpreter.prototype.run);
  })();
  return installed;
}

/**
 * Marks an EVM for the tuned dispatch loop (see the module comment) and gives it weft's handlers for the opcodes
 * that turn stack words into bytes (`handlers.ts`), again whenever the library rebuilds its opcode table.
 */
export async function tuneEvm(evm: EVM): Promise<void> {
  await install();
  const tables = evm as unknown as Parameters<typeof installHandlers>[0] & {
    [TUNED]: boolean;
    getActiveOpcodes(): unknown;
  };
  tables[TUNED] = true;
  fastEipLookup(evm.common);
  await installHandlers(tables);
  await installFrames(evm);
  const rebuild = tables.getActiveOpcodes.bind(tables);
  tables.getActiveOpcodes = () => {
    const opcodes = rebuild();
    reinstallHandlers(tables);
    return opcodes;
  };
}
