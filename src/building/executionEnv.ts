/**
 * One EVM for building: `@ethereumjs/vm` on a `WeftStateManager` that records read and write sets, with the
 * coinbase's fee credit kept out of them (a lazy coinbase), so that orders paying fees do not all conflict on the
 * coinbase's balance.
 *
 * An order that pays the coinbase directly (a transfer to it, as bundles do) still touches the coinbase's
 * balance, and that is safe to replay as a delta on another state unless the order *observed* the balance. The
 * EVM reads the balance in two ways: to add a transfer to it (blind: the result does not depend on the value)
 * and through BALANCE or SELFBALANCE (seen by the code). The two opcodes' handlers are wrapped to tell them
 * apart; `coinbaseObserved` says whether the current transaction looked.
 */
import { createVM, type VM } from "@ethereumjs/vm";
import { tuneEvm } from "../execution/evm/tuning.js";
import { markPostExecution } from "../execution/parallel/speculate.js";
import type { StateLayer } from "../execution/state/layer.js";
import { WeftStateManager } from "../execution/state/stateManager.js";
import { fixtureBlockchain } from "../execution/stock.js";
import type { ExecutionContext } from "./context.js";

export interface ExecutionEnv {
  readonly vm: VM;
  readonly state: WeftStateManager;
  /** Set when the running transaction read the coinbase's balance with BALANCE or SELFBALANCE; reset per use. */
  coinbaseObserved: boolean;
}

interface OpEntry {
  opHandler: (runState: RunStateLike, common: unknown) => unknown;
}
interface RunStateLike {
  stack: { peek(n?: number): bigint[] };
  interpreter: { _env: { address: { bytes: Uint8Array } } };
}

const BALANCE = 0x31;
const SELFBALANCE = 0x47;

export async function createExecutionEnv(ctx: ExecutionContext, layer: StateLayer): Promise<ExecutionEnv> {
  const state = new WeftStateManager({ layer, recordAccess: true, lazyCoinbase: ctx.coinbaseKey });
  const vm = await createVM({
    common: ctx.common,
    stateManager: state,
    blockchain: fixtureBlockchain(ctx.blockHashes),
  });
  await tuneEvm(vm.evm as never);
  markPostExecution(vm, state);
  const env: ExecutionEnv = { vm, state, coinbaseObserved: false };
  const coinbase = BigInt(`0x${ctx.coinbaseKey}`);
  const coinbaseBytes = ctx.coinbase.bytes;
  const table = (vm.evm as unknown as { _opcodeMap: Record<number, OpEntry> })._opcodeMap;
  const balance = table[BALANCE];
  if (balance !== undefined) {
    const original = balance.opHandler;
    balance.opHandler = (runState, common) => {
      const [top] = runState.stack.peek(1);
      if (top !== undefined && (top & ((1n << 160n) - 1n)) === coinbase) env.coinbaseObserved = true;
      return original(runState, common);
    };
  }
  const selfBalance = table[SELFBALANCE];
  if (selfBalance !== undefined) {
    const original = selfBalance.opHandler;
    selfBalance.opHandler = (runState, common) => {
      if (sameBytes(runState.interpreter._env.address.bytes, coinbaseBytes)) env.coinbaseObserved = true;
      return original(runState, common);
    };
  }
  return env;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
