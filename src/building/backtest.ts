/**
 * Backtesting on a mainnet block fixture (rbuilder's backtest): the block's own transactions are the order
 * pool, its pre-state the parent, its header the block's attributes (the fee recipient is the block's miner, who
 * is also the coinbase: no payout transaction).
 *
 *   landed value: the block executed as it landed; the coinbase's balance gain from its transactions
 *   → every transaction an order (arrival order = block position; a sender's transactions keep nonce order)
 *   → top-of-block simulation → each algorithm fills a block → its value, gas, transactions and fill time
 *   → the best block: raw signed transactions in block order, gas, receipts root, logs bloom.
 *
 * Fixtures hold only the state the landed block touched: an ordering that reaches other state reads it as empty.
 * A transaction invalid at the top of the block (its funds arrive in an earlier transaction of the block, say)
 * fails simulation and is not offered to the algorithms.
 */
import { bytesToHex } from "@ethereumjs/util";
import { createVM } from "@ethereumjs/vm";
import { tuneEvm } from "../execution/evm/tuning.js";
import { executeBlock } from "../execution/executeBlock.js";
import type { BlockFixture } from "../execution/fixture.js";
import { StateLayer } from "../execution/state/layer.js";
import { WeftStateManager } from "../execution/state/stateManager.js";
import { fixtureBlockchain } from "../execution/stock.js";
import { toQuantity } from "../shared/hex.js";
import type { BlockBuildingAlgorithm, BuiltBlock } from "./builders/algorithm.js";
import { ALGORITHM_NAMES, algorithmByName } from "./builders/algorithms.js";
import { createBuildContext } from "./context.js";
import { BuildingError } from "./errors.js";
import { fixtureParent } from "./fixtureParent.js";
import { transactionOrder } from "./orders/order.js";
import { SimulationPool } from "./simulation/simulationPool.js";

export interface BacktestOptions {
  /** Algorithm names (default: all of them, the priority-fee baseline included). */
  algorithms?: readonly string[];
  /** A simulation pool to use (its workers are kept); default: one in this thread, closed after. */
  pool?: SimulationPool;
}

export interface BacktestAlgorithmResult {
  name: string;
  value: bigint;
  gasUsed: bigint;
  txs: number;
  /** Fill time, milliseconds (after simulation). */
  ms: number;
  /** Orders tried and left out. */
  failed: number;
}

export interface BacktestResult {
  number: number;
  landedValue: bigint;
  landedGasUsed: bigint;
  algorithms: BacktestAlgorithmResult[];
  best: {
    name: string;
    /** Raw signed transactions in block order (0x-prefixed). */
    transactions: string[];
    gasUsed: bigint;
    receiptsRoot: string;
    logsBloom: string;
    feeRecipient: string;
  };
  simulation: { orders: number; simulated: number; failed: number; ms: number };
}

export function algorithmsByName(names: readonly string[] = ALGORITHM_NAMES): BlockBuildingAlgorithm[] {
  return names.map((name) => {
    const algorithm = algorithmByName(name);
    if (algorithm === undefined) {
      throw new BuildingError("INVALID_CONTEXT", `unknown algorithm "${name}"`, {
        details: `choose from ${ALGORITHM_NAMES.join(", ")}`,
      });
    }
    return algorithm;
  });
}

export async function backtestFixture(
  fixture: BlockFixture,
  options: BacktestOptions = {},
  file?: string,
): Promise<BacktestResult> {
  const algorithms = algorithmsByName(options.algorithms);
  const parent = await fixtureParent(fixture, file);
  const { common, block, base } = parent;

  // The landed block, as it executed.
  const landedState = new WeftStateManager({ layer: new StateLayer(base), recordAccess: false });
  const vm = await createVM({ common, stateManager: landedState, blockchain: fixtureBlockchain(fixture.blockHashes) });
  await tuneEvm(vm.evm as never);
  const landed = await executeBlock({ vm, state: landedState, block, finalize: false });

  const h = block.header;
  const attributes = parent.attributes(h.coinbase, h.coinbase);
  const ctx = await createBuildContext(common, attributes, base);

  const orders = block.transactions.map((tx, i) => transactionOrder(tx, i));
  const pool = options.pool ?? new SimulationPool({ workers: 0 });
  try {
    await pool.prepare(ctx);
    const report = await pool.simulate(orders);
    const results: BacktestAlgorithmResult[] = [];
    let best: BuiltBlock | undefined;
    for (const algorithm of algorithms) {
      const built = await algorithm.buildBlock({
        ctx,
        orders: report.simulated,
        unsimulated: [...report.failed.map((f) => f.order), ...report.pending],
        env: pool.env,
        resolver: pool,
      });
      results.push({
        name: algorithm.name,
        value: built.block.value,
        gasUsed: built.block.gasUsed,
        txs: built.block.txs.length,
        ms: built.ms,
        failed: built.failed,
      });
      if (best === undefined || built.block.value > best.block.value) best = built;
    }
    const chosen = best as BuiltBlock;
    return {
      number: fixture.number,
      landedValue: landed.coinbaseDelta,
      landedGasUsed: landed.gasUsed,
      algorithms: results,
      best: {
        name: chosen.algorithm,
        transactions: chosen.block.txs.map((t) => bytesToHex(t.raw)),
        gasUsed: chosen.block.gasUsed,
        receiptsRoot: bytesToHex(chosen.block.receiptsRoot()),
        logsBloom: bytesToHex(chosen.block.logsBloom()),
        feeRecipient: h.coinbase.toString(),
      },
      simulation: {
        orders: orders.length,
        simulated: report.simulated.length,
        failed: report.failed.length + report.pending.length + report.stale.length,
        ms: report.ms,
      },
    };
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

/** The `weft backtest --json` object (interfaces.md): quantities as hex, the documented fields first. */
export function backtestJson(result: BacktestResult): Record<string, unknown> {
  return {
    number: result.number,
    landedValue: toQuantity(result.landedValue),
    algorithms: result.algorithms.map((a) => ({
      name: a.name,
      value: toQuantity(a.value),
      gasUsed: toQuantity(a.gasUsed),
      txs: a.txs,
      ms: Number(a.ms.toFixed(1)),
    })),
    best: {
      name: result.best.name,
      transactions: result.best.transactions,
      gasUsed: toQuantity(result.best.gasUsed),
      receiptsRoot: result.best.receiptsRoot,
      logsBloom: result.best.logsBloom,
      feeRecipient: result.best.feeRecipient,
    },
  };
}
