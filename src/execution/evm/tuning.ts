/**
 * Speed for `@ethereumjs/evm` without changing what it computes. The opcodes, their gas and every state access
 * stay ethereumjs's; what changes, for EVM instances weft marks with `tuneEvm` and nothing else in the process
 * (the stock engine keeps the library's own path), is the dispatch loop of `Interpreter.run`:
 *
 * - Jump-destination analysis is cached per code object and opcode table. The library redoes it on every call
 *   frame, which was 9 % of a mainnet block's time; weft's state hands out the same `Uint8Array` per account
 *   code, so a contract is analysed once.
 * - Opcodes with static gas and a synchronous handler (PUSH, DUP, SWAP, arithmetic, JUMP…, most of what runs)
 *   are executed inline, without `runStep`'s promise and microtask per opcode; the rest still go through the
 *   library's `runStep`.
 *
 * The tuned loop is taken only where it is exactly equivalent: legacy bytecode, no step listeners, no debug or
 * profiler, and none of the EIPs whose per-step hooks it leaves out (EOF 3540, verkle/binary-tree witnesses
 * 6800/7864, block access lists 7928, multidimensional gas 8037). Otherwise the original `run` executes.
 * Weft writes this by hand because ethereumjs offers no hook for it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type EVM, EVMError } from "@ethereumjs/evm";

const TUNED = Symbol.for("weft.tunedEvm");

interface OpEntry {
  opcodeInfo: { code: number; feeBigInt: bigint; dynamicGas: boolean; isAsync: boolean; isInvalid: boolean };
  opHandler: (runState: unknown, common: unknown) => unknown;
}
interface Analysis {
  jumps: Uint8Array;
  pushes: Record<number, bigint>;
  opcodesCached: OpEntry[];
}
interface RunState {
  code: Uint8Array;
  programCounter: number;
  opCode: number;
  validJumps: Uint8Array;
  cachedPushes: Record<number, bigint>;
  shouldDoJumpAnalysis: boolean;
  env: { accessWitness?: { commit(): void; revert(): void } };
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

const analyses = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();

function analyse(interp: InterpreterLike, code: Uint8Array): Analysis {
  const table = interp._evm._opcodeMap;
  let byCode = analyses.get(table);
  if (byCode === undefined) {
    byCode = new WeakMap();
    analyses.set(table, byCode);
  }
  let analysis = byCode.get(code);
  if (analysis === undefined) {
    analysis = interp._getValidJumpDestinations(code);
    byCode.set(code, analysis);
  }
  return analysis;
}

const UNTUNABLE_EIPS = [3540, 6800, 7864, 7928, 8037];

function tunable(interp: InterpreterLike, code: Uint8Array): boolean {
  const evm = interp._evm;
  if (evm[TUNED] !== true || evm.DEBUG || interp.profilerOpts?.enabled === true) return false;
  if (evm.events.listenerCount("step") > 0) return false;
  for (const eip of UNTUNABLE_EIPS) if (interp.common.isActivatedEIP(eip)) return false;
  return code.length > 0;
}

const STOP = EVMError.errorMessages.STOP;

function tunedRun(original: RunFn): RunFn {
  return async function run(this: InterpreterLike, code, opts = {}) {
    if (!tunable(this, code)) return original.call(this, code, opts);
    const rs = this._runState;
    rs.code = code;
    rs.programCounter = opts.pc ?? rs.programCounter;
    const start = rs.programCounter;
    if (start !== 0 && (start < 0 || start >= code.length)) {
      throw new Error("Internal error: program counter not in range");
    }
    const { jumps, pushes, opcodesCached } = analyse(this, code);
    rs.validJumps = jumps;
    rs.cachedPushes = pushes;
    rs.shouldDoJumpAnalysis = false;
    const common = this.common;
    let err: unknown;
    while (rs.programCounter < code.length) {
      const entry = opcodesCached[rs.programCounter] as OpEntry;
      const info = entry.opcodeInfo;
      rs.opCode = info.code;
      try {
        if (!info.dynamicGas && !info.isAsync && !info.isInvalid) {
          this.useGas(info.feeBigInt, info);
          rs.programCounter++;
          entry.opHandler(rs, common);
          rs.env.accessWitness?.commit();
        } else {
          await this.runStep(entry);
        }
      } catch (e) {
        rs.env.accessWitness?.revert();
        const evmError = e as { errorType?: string; error?: string };
        if (typeof e !== "object" || e === null || evmError.errorType !== "EVMError") throw e;
        if (evmError.error !== STOP) err = e;
        break;
      }
    }
    return { runState: rs, exceptionError: err };
  };
}

let installed: Promise<void> | undefined;

/** Patches `Interpreter.prototype.run` once per process; only EVMs marked by `tuneEvm` take the tuned path. */
function install(): Promise<void> {
  installed ??= (async () => {
    // `@ethereumjs/evm` exports no Interpreter; load the same ES module the EVM itself imports.
    const cjsEntry = createRequire(import.meta.url).resolve("@ethereumjs/evm");
    const url = pathToFileURL(join(dirname(cjsEntry), "..", "esm", "interpreter.js")).href;
    const { Interpreter } = (await import(url)) as { Interpreter: { prototype: { run: RunFn } } };
    Interpreter.prototype.run = tunedRun(Interpreter.prototype.run);
  })();
  return installed;
}

/** Marks an EVM for the tuned dispatch loop (see the module comment). */
export async function tuneEvm(evm: EVM): Promise<void> {
  await install();
  (evm as unknown as { [TUNED]: boolean })[TUNED] = true;
}
