/**
 * The VM weft executes with: `@ethereumjs/vm` on weft's state layer, the tuned dispatch loop, and BN254
 * precompiles (ecAdd, ecMul, pairing) from `rustbn-wasm`, the WebAssembly build ethereumjs itself supports
 * (`RustBN254`), in place of the pure-JS default, which a zk-proof verification makes the slowest thing in
 * a block.
 */
import type { Common } from "@ethereumjs/common";
import { type EVMMockBlockchainInterface, RustBN254 } from "@ethereumjs/evm";
import { createVM, type VM } from "@ethereumjs/vm";
import { initRustBN } from "rustbn-wasm";
import { tuneEvm } from "./evm/tuning.js";
import type { WeftStateManager } from "./state/stateManager.js";

let bn254: Promise<RustBN254> | undefined;

export interface CreateWeftVMOptions {
  common: Common;
  stateManager: WeftStateManager;
  blockchain?: EVMMockBlockchainInterface;
}

export async function createWeftVM(options: CreateWeftVMOptions): Promise<VM> {
  bn254 ??= initRustBN().then((wasm) => new RustBN254(wasm as never));
  const vm = await createVM({
    common: options.common,
    stateManager: options.stateManager,
    ...(options.blockchain === undefined ? {} : { blockchain: options.blockchain }),
    evmOpts: { bn254: await bn254 },
  });
  await tuneEvm(vm.evm as never);
  return vm;
}
