/**
 * Call frames for weft's tuned EVMs without object spreads. `@ethereumjs/evm` builds two objects per call frame
 * by spreading: the message it hands the interpreter (`{ ...{ codeAddress }, ...message, gasLimit }`, in
 * `_executeCall`) and the interpreter's result (`{ ...result, runState: { ...runState, ...result, ...env }, … }`,
 * in `runInterpreter`). Under Node 20's V8 (11.3), adding properties to an object that a spread made is
 * pathologically slow: the clone's map sits outside the transition tree, so every property added after the
 * first spread builds a new map (`{ ...{ a }, ...o }` with 20 properties in `o`: 55 µs; `Object.assign({ a }, o)`:
 * under 1 µs). Those two lines were the largest of an ERC20 transfer's profile, about 180 µs per call frame,
 * and they leave a trail of maps for the garbage collector.
 *
 * Here the same objects, with the same properties in the same order, are built by `Object.assign` onto fresh
 * literals, whose maps are in the transition tree:
 * - `runInterpreter` is the library's method line for line but for how its result is built. Nothing in
 *   ethereumjs or weft reads the returned `runState`; it is still built whole, so callers outside weft see the
 *   same object.
 * - `_executeCall` is the library's method where none of the EIPs it treats specially beyond mainnet's
 *   hardforks is active (verkle and binary-tree witnesses 6800/7864, Amsterdam's 2780, 7708, 7928 and 8037),
 *   the EVM is not in debug mode and the profiler is off: then every branch for those is skipped, and what
 *   remains is below. Otherwise the library's method runs.
 *
 * ethereumjs offers no hook for either; written by hand, installed per EVM (other EVMs keep the library's).
 */
import type { EVM } from "@ethereumjs/evm";
import { Account, BIGINT_0, createZeroAddress } from "@ethereumjs/util";
import { importEvmModule } from "./handlers.js";

interface MessageLike {
  to?: unknown;
  caller?: unknown;
  data?: Uint8Array;
  value?: bigint;
  code?: Uint8Array | ((...args: unknown[]) => unknown);
  isCompiled?: boolean;
  delegatecall?: boolean;
  isStatic?: boolean;
  isCreate?: boolean;
  depth?: number;
  codeAddress?: unknown;
  gasRefund?: bigint;
  chargeCodeAccesses?: boolean;
  blobVersionedHashes?: Uint8Array[];
  accessWitness?: { commit(): void };
  createdAddresses?: Set<string>;
  selfdestruct?: Set<string>;
  gasLimit: bigint;
}
interface InterpreterResult {
  runState: { gasLeft: bigint; gasRefund: bigint; stateGasSpilled?: bigint };
  exceptionError?: { error: string };
}
interface InterpreterInstance {
  _result: { returnValue?: Uint8Array; selfdestruct?: unknown; createdAddresses?: unknown; logs?: unknown };
  _env: object;
  run(code: MessageLike["code"], opts: object): Promise<InterpreterResult>;
}
type InterpreterClass = new (...args: unknown[]) => InterpreterInstance;
interface EvmInternals {
  DEBUG: boolean;
  common: { isActivatedEIP(eip: number): boolean };
  stateManager: { getAccount(address: unknown): Promise<Account | undefined> };
  blockchain: unknown;
  journal: unknown;
  performanceLogger: unknown;
  _optsCached: { profiler?: unknown };
  _tx: { gasPrice: bigint; origin?: unknown };
  _block?: unknown;
  runInterpreter(message: MessageLike, opts?: { initialLogs?: unknown }): Promise<FrameResult>;
  runPrecompile(code: unknown, data: unknown, gasLimit: bigint): Promise<FrameResult>;
  postMessageCleanup(): void;
  _reduceSenderBalance(account: Account, message: MessageLike): Promise<void>;
  _addToBalance(account: Account, message: MessageLike): Promise<void>;
  _loadCode(message: MessageLike): Promise<void>;
  _executeCall(message: MessageLike): Promise<{ execResult: object }>;
}
interface FrameResult {
  executionGasUsed: bigint;
  gasRefund?: bigint | undefined;
}

interface Modules {
  Interpreter: InterpreterClass;
  defaultBlock: () => unknown;
  REVERT: string;
  INVALID_EOF_FORMAT: string;
}
let modules: Promise<Modules> | undefined;

function load(): Promise<Modules> {
  modules ??= (async () => {
    const [{ Interpreter }, { defaultBlock }, { EVMError }] = await Promise.all([
      importEvmModule<{ Interpreter: InterpreterClass }>("interpreter.js"),
      importEvmModule<{ defaultBlock: () => unknown }>("evm.js"),
      importEvmModule<{ EVMError: { errorMessages: Record<string, string> } }>("errors.js"),
    ]);
    return {
      Interpreter,
      defaultBlock,
      REVERT: EVMError.errorMessages.REVERT as string,
      INVALID_EOF_FORMAT: EVMError.errorMessages.INVALID_EOF_FORMAT as string,
    };
  })();
  return modules;
}

/** The library's `runInterpreter` (`@ethereumjs/evm` evm.js), its result built without spreads. */
function runInterpreterFor(m: Modules) {
  return async function runInterpreter(
    this: EvmInternals,
    message: MessageLike,
    opts: { initialLogs?: unknown } = {},
  ): Promise<FrameResult> {
    let contract = await this.stateManager.getAccount(message.to ?? createZeroAddress());
    if (!contract) {
      contract = new Account();
    }
    const env = {
      address: message.to ?? createZeroAddress(),
      caller: message.caller ?? createZeroAddress(),
      callData: message.data ?? Uint8Array.from([0]),
      callValue: message.value ?? BIGINT_0,
      code: message.code,
      isStatic: message.isStatic ?? false,
      isCreate: message.isCreate ?? false,
      depth: message.depth ?? 0,
      gasPrice: this._tx.gasPrice,
      origin: this._tx.origin ?? message.caller ?? createZeroAddress(),
      block: this._block ?? m.defaultBlock(),
      contract,
      codeAddress: message.codeAddress,
      gasRefund: message.gasRefund,
      chargeCodeAccesses: message.chargeCodeAccesses,
      blobVersionedHashes: message.blobVersionedHashes ?? [],
      accessWitness: message.accessWitness,
      createdAddresses: message.createdAddresses,
      initialLogs: opts.initialLogs,
    };
    const interpreter = new m.Interpreter(
      this,
      this.stateManager,
      this.blockchain,
      env,
      message.gasLimit,
      this.journal,
      this.performanceLogger,
      this._optsCached.profiler,
    );
    if (message.selfdestruct) {
      interpreter._result.selfdestruct = message.selfdestruct;
    }
    if (message.createdAddresses) {
      interpreter._result.createdAddresses = message.createdAddresses;
    }
    const interpreterRes = await interpreter.run(message.code, opts);
    let result: object = interpreter._result;
    let gasUsed = message.gasLimit - interpreterRes.runState.gasLeft;
    if (interpreterRes.exceptionError) {
      if (
        interpreterRes.exceptionError.error !== m.REVERT &&
        interpreterRes.exceptionError.error !== m.INVALID_EOF_FORMAT
      ) {
        gasUsed = message.gasLimit;
      }
      // Clear the result on error
      result = Object.assign({}, result, { logs: [], selfdestruct: new Map(), createdAddresses: new Set() });
    }
    message.accessWitness?.commit();
    // `{ ...result, runState: { ...runState, ...result, ...env }, exceptionError, … }`, without the spreads.
    const out = Object.assign({}, result) as Record<string, unknown>;
    out.runState = Object.assign({}, interpreterRes.runState, result, interpreter._env);
    out.exceptionError = interpreterRes.exceptionError;
    out.gas = interpreterRes.runState?.gasLeft;
    out.executionGasUsed = gasUsed;
    out.gasRefund = interpreterRes.runState.gasRefund;
    out.stateGasSpilled = interpreterRes.runState.stateGasSpilled;
    out.returnValue = (result as { returnValue?: Uint8Array }).returnValue ?? new Uint8Array(0);
    return out as unknown as FrameResult;
  };
}

/** EIPs whose branches `_executeCall` below leaves out: with any of them active, the library's method runs. */
const SPECIAL_CALL_EIPS = [2780, 6800, 7708, 7864, 7928, 8037];

/**
 * The library's `_executeCall` (`@ethereumjs/evm` evm.js) where `SPECIAL_CALL_EIPS` are all inactive, the EVM
 * is not in debug mode and the profiler is off; the message for the interpreter built without spreads.
 */
function executeCallFor(library: EvmInternals["_executeCall"]) {
  return async function _executeCall(this: EvmInternals, message: MessageLike): Promise<{ execResult: object }> {
    if (this.DEBUG || (this._optsCached.profiler as { enabled?: boolean } | undefined)?.enabled === true) {
      return library.call(this, message);
    }
    for (const eip of SPECIAL_CALL_EIPS) if (this.common.isActivatedEIP(eip)) return library.call(this, message);
    const gasLimit = message.gasLimit;
    const fromAddress = message.caller;
    let account = await this.stateManager.getAccount(fromAddress);
    if (!account) {
      account = new Account();
    }
    let errorMessage: unknown;
    // Reduce tx value from sender
    if (!message.delegatecall) {
      try {
        await this._reduceSenderBalance(account, message);
      } catch (e) {
        errorMessage = e;
      }
    }
    // Load `to` account
    let toAccount = await this.stateManager.getAccount(message.to);
    if (!toAccount) {
      toAccount = new Account();
    }
    // Add tx value to the `to` account
    if (!message.delegatecall) {
      try {
        await this._addToBalance(toAccount, message);
      } catch (e) {
        errorMessage = e;
      }
    }
    // Load code
    await this._loadCode(message);
    let exit = false;
    if (!message.code || (typeof message.code !== "function" && message.code.length === 0)) {
      exit = true;
    }
    if (errorMessage !== undefined) {
      exit = true;
    }
    if (exit) {
      const earlyResult = {
        gasRefund: message.gasRefund,
        executionGasUsed: message.gasLimit - gasLimit,
        exceptionError: errorMessage,
        returnValue: new Uint8Array(0),
        logs: undefined,
      };
      return { execResult: earlyResult };
    }
    let result: FrameResult;
    if (message.isCompiled) {
      result = await this.runPrecompile(message.code, message.data, gasLimit);
      result.gasRefund = message.gasRefund;
    } else {
      // `{ ...{ codeAddress: message.codeAddress }, ...message, gasLimit }`, without the spreads.
      const frame = Object.assign({ codeAddress: message.codeAddress }, message);
      frame.gasLimit = gasLimit;
      result = await this.runInterpreter(frame, { initialLogs: undefined });
    }
    if (message.depth === 0) {
      this.postMessageCleanup();
    }
    result.executionGasUsed += message.gasLimit - gasLimit;
    return {
      execResult: result,
    };
  };
}

/** Gives one EVM the `runInterpreter` and `_executeCall` above (own properties: other EVMs keep the library's). */
export async function installFrames(evm: EVM): Promise<void> {
  const m = await load();
  const target = evm as unknown as EvmInternals;
  target.runInterpreter = runInterpreterFor(m);
  target._executeCall = executeCallFor(Object.getPrototypeOf(evm)._executeCall);
}
