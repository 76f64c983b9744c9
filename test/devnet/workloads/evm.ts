/** Test helpers: an EVM on a layer, calls without signatures (`runCall`), and a layer's state as plain data. */
import { createBlock } from "@ethereumjs/block";
import type { Address } from "@ethereumjs/util";
import { createVM, type VM } from "@ethereumjs/vm";
import { GENESIS_TIMESTAMP, WORKLOAD_BLOCK_NUMBER, workloadCommon } from "../../../src/devnet/workloads/genesis.js";
import type { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";

export interface Evm {
  vm: VM;
  state: WeftStateManager;
  /** A call (or a create, with `to` undefined) at depth 0, as a transaction would make it, without gas payment. */
  call(
    caller: Address,
    to: Address | undefined,
    data: Uint8Array,
    /** The block's timestamp (default the parent block's, `GENESIS_TIMESTAMP`). */
    timestamp?: bigint,
  ): Promise<{ reverted: boolean; returned: Uint8Array; created: Address | undefined }>;
}

/** An EVM writing into `layer`, in the parent block of the workloads (where their genesis happened). */
export async function evmOn(layer: StateLayer): Promise<Evm> {
  const common = workloadCommon();
  const state = new WeftStateManager({ layer, recordAccess: false });
  const vm = await createVM({ common, stateManager: state });
  const blockAt = (timestamp: bigint) =>
    createBlock({ header: { number: WORKLOAD_BLOCK_NUMBER - 1n, timestamp, gasLimit: 36_000_000n } }, { common });
  return {
    vm,
    state,
    async call(caller, to, data, timestamp = GENESIS_TIMESTAMP) {
      const block = blockAt(timestamp);
      const result = await vm.evm.runCall({
        caller,
        data,
        gasLimit: 30_000_000n,
        block,
        ...(to === undefined ? {} : { to, skipNonceIncrement: true }),
      } as never);
      await vm.evm.journal.cleanup();
      state.endTx();
      return {
        reverted: result.execResult.exceptionError !== undefined,
        returned: result.execResult.returnValue,
        created: result.createdAddress,
      };
    },
  };
}

/** Every account of a layer (and its parents) with its code and non-zero storage, keys sorted: for equality. */
export function dumpState(layer: StateLayer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...layer.accountKeys()].sort()) {
    const record = layer.account(key);
    if (record === null) continue;
    const storage = Object.fromEntries(
      [...layer.slots(key)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([slot, value]) => [slot, hex(value)]),
    );
    out[key] = {
      nonce: record.nonce.toString(),
      balance: record.balance.toString(),
      codeHash: hex(record.codeHash),
      code: hex(layer.codeOf(key)),
      storage,
    };
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
