/**
 * Order flow for the building benchmark and tests: a pool of orders on a generated pre-state, the way a builder
 * meets them in a slot.
 *
 *   public transactions: ether transfers, ERC20 transfers, Uniswap V2 swaps (the workloads' planners, with a
 *     share of conflicts: hot accounts send several transactions in nonce order), each with a tip of 0.01–2 gwei;
 *   victims: large swaps on arbitrage pairs (one token pair listed on two Uniswap V2 factories at the same
 *     price), public transactions too;
 *   backrun bundles: [victim, arbitrage] where the arbitrage (`arbitrage.ts`) buys back the price the victim
 *     moved, through both pools, and pays the coinbase a bid in ether; some victims draw two competing
 *     searchers (only one can win: the other's arbitrage finds no profit and reverts, and the bundle is dropped).
 *
 * The builder is the coinbase (holding 1 ether: it pays the proposer's fee recipient at the end of the block).
 * Deterministic in its options, as the workloads are.
 */

import type { Common } from "@ethereumjs/common";
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from "@ethereumjs/tx";
import { type Address, createWithdrawal } from "@ethereumjs/util";
import type { BlockAttributes } from "../../building/context.js";
import { bundleOrder, type Order, transactionOrder } from "../../building/orders/order.js";
import type { StateLayer } from "../../execution/state/layer.js";
import {
  deriveAddress,
  deriveBytes,
  deriveSigner,
  ETHER,
  encodeSwap,
  GenesisBuilder,
  newToken,
  planErc20Transfers,
  planSwaps,
  planTransfers,
  type Signer,
  SWAPPER_RUNTIME,
  signHash,
  signingHash,
  type TxIntent,
  UniswapV2Genesis,
  WORKLOAD_BASE_FEE,
  WORKLOAD_BLOCK_NUMBER,
  WORKLOAD_CHAIN_ID,
  WORKLOAD_TIMESTAMP,
  workloadCommon,
} from "../workloads/index.js";
import { ARBITRAGE_RUNTIME, amountOut, bestArbitrage, encodeArbitrage } from "./arbitrage.js";

export interface OrderFlowOptions {
  /** Orders in all (transactions and bundles). */
  orders: number;
  seed?: number;
  /** Fraction of the orders that are backrun bundles (default 0.12). */
  bundleShare?: number;
  /** Conflict rate within the public transactions (default 0.1). */
  conflictRate?: number;
  gasLimit?: bigint;
  /** Accounts funded with 10 ether and otherwise unused, for tests to send from (default 4). */
  funded?: number;
}

export interface OrderFlow {
  common: Common;
  base: StateLayer;
  attributes: BlockAttributes;
  builder: Signer;
  /** Funded accounts no order sends from. */
  funded: Signer[];
  orders: Order[];
  counts: { transfers: number; erc20: number; swaps: number; victims: number; bundles: number };
}

const MIN_TIP = 10_000_000n;
const MAX_TIP = 2_000_000_000n;
const ARBITRAGE_GAS_LIMIT = 350_000n;
const VICTIM_GAS_LIMIT = 200_000n;

export function generateOrderFlow(options: OrderFlowOptions): OrderFlow {
  const seed = options.seed ?? 1;
  const n = options.orders;
  const rate = options.conflictRate ?? 0.1;
  const genesis = new GenesisBuilder(seed);
  const random = genesis.random;
  const builder = deriveSigner(seed, "builder", 0);
  const coinbase = builder.address;

  const bundles = Math.round(n * (options.bundleShare ?? 0.12));
  const victims = bundles === 0 ? 0 : Math.ceil(bundles / 1.5);
  const rest = n - bundles - victims;
  const transfers = Math.floor(rest * 0.4);
  const erc20 = Math.floor(rest * 0.3);
  const swaps = rest - transfers - erc20;

  const intents: Array<TxIntent & { tip?: bigint }> = [];
  for (const [count, plan] of [
    [transfers, planTransfers],
    [erc20, planErc20Transfers],
    [swaps, planSwaps],
  ] as const) {
    if (count > 0) intents.push(...plan(genesis, count, rate).intents);
  }

  // Arbitrage pairs: one token pair on two factories, a victim and one or two searchers each.
  const bundleIntents: Array<{ victim: TxIntent; arbitrage: TxIntent & { tip: bigint } }> = [];
  if (victims > 0) {
    const swapper = genesis.nextContractAddress();
    genesis.putContract(swapper, SWAPPER_RUNTIME);
    const dexA = new UniswapV2Genesis(genesis);
    const dexB = new UniswapV2Genesis(genesis);
    const tokens = [];
    for (let v = 0; v < victims; v++) {
      const x = newToken(genesis);
      const y = newToken(genesis);
      tokens.push(x, y);
      const reserve = random.bigint(1_000n * ETHER, 10_000n * ETHER);
      const poolA = dexA.createPool(x, y, reserve, reserve);
      const poolB = dexB.createPool(x, y, reserve, reserve);
      const xIsToken0 = poolA.token0 === x;
      // The victim sells 0.5–3 % of the reserve of x on A: x gets cheap on A.
      const sold = (reserve * random.bigint(5n, 30n)) / 1000n;
      const victim = genesis.newSigner("victim");
      x.credit(victim.address, sold);
      x.approve(victim.address, swapper);
      const victimIntent: TxIntent = {
        from: victim,
        to: swapper,
        value: 0n,
        data: encodeSwap({
          pair: poolA.pair,
          tokenIn: x.address,
          amountIn: sold,
          amountOutMin: 0n,
          zeroForOne: xIsToken0,
        }),
        gasLimit: VICTIM_GAS_LIMIT,
      };
      intents.push(victimIntent);
      // The backrun: sell y into A (buying the cheap x), sell that x into B.
      const yOnA = reserve - amountOut(sold, reserve, reserve);
      const xOnA = reserve + sold;
      const best = bestArbitrage(yOnA, xOnA, reserve, reserve);
      const searchers = v < bundles - victims ? 2 : 1;
      for (let s = 0; s < searchers; s++) {
        const searcher = genesis.newSigner("searcher");
        const contract = genesis.nextContractAddress();
        genesis.putContract(contract, ARBITRAGE_RUNTIME);
        const amountIn = s === 0 ? best.amountIn : (best.amountIn * 9n) / 10n;
        y.credit(contract, 2n * amountIn + 1n);
        const data = encodeArbitrage({
          pairA: poolA.pair,
          pairB: poolB.pair,
          tokenIn: y.address,
          amountIn,
          aZeroForOne: !xIsToken0,
          bZeroForOne: xIsToken0,
          minProfit: best.profit / 4n,
          coinbase,
        });
        const bid = random.bigint(ETHER / 500n, ETHER / 20n);
        bundleIntents.push({
          victim: victimIntent,
          arbitrage: { from: searcher, to: contract, value: bid, data, gasLimit: ARBITRAGE_GAS_LIMIT, tip: MIN_TIP },
        });
      }
    }
    for (const token of tokens) token.finish();
    dexA.finish();
    dexB.finish();
  }

  // Sign: nonces per sender in intent order, a random tip each, senders funded for their worst case.
  const common = workloadCommon();
  const nonces = new Map<string, bigint>();
  const spend = new Map<string, { address: Address; cost: bigint }>();
  const signed = new Map<TxIntent, FeeMarket1559Tx>();
  const sign = (intent: TxIntent & { tip?: bigint }): FeeMarket1559Tx => {
    const key = intent.from.address.toString();
    const nonce = nonces.get(key) ?? 0n;
    nonces.set(key, nonce + 1n);
    const maxPriorityFeePerGas = intent.tip ?? random.bigint(MIN_TIP, MAX_TIP);
    const fields = {
      chainId: WORKLOAD_CHAIN_ID,
      nonce,
      maxPriorityFeePerGas,
      maxFeePerGas: 2n * WORKLOAD_BASE_FEE + maxPriorityFeePerGas,
      gasLimit: intent.gasLimit,
      to: intent.to,
      value: intent.value,
      data: intent.data,
    };
    const { v, r, s } = signHash(signingHash(fields), intent.from.key);
    const tx = createFeeMarket1559Tx({ ...fields, v, r, s }, { common });
    const cost = intent.gasLimit * fields.maxFeePerGas + intent.value;
    const spent = spend.get(key);
    spend.set(key, { address: intent.from.address, cost: (spent?.cost ?? 0n) + cost });
    signed.set(intent, tx);
    return tx;
  };
  for (const intent of intents) sign(intent);
  for (const b of bundleIntents) sign(b.arbitrage);
  for (const { address, cost } of spend.values()) genesis.addBalance(address, cost + ETHER);
  genesis.addBalance(builder.address, ETHER);
  const funded = Array.from({ length: options.funded ?? 4 }, () => genesis.newSigner("funded"));
  for (const signer of funded) genesis.addBalance(signer.address, 10n * ETHER);
  const base = genesis.finish();

  const orders: Order[] = [];
  const arrival = random.shuffle(Array.from({ length: intents.length + bundleIntents.length }, (_, i) => i));
  let next = 0;
  for (const intent of intents)
    orders.push(transactionOrder(signed.get(intent) as FeeMarket1559Tx, arrival[next++] as number));
  for (const b of bundleIntents) {
    const txs = [signed.get(b.victim) as FeeMarket1559Tx, signed.get(b.arbitrage) as FeeMarket1559Tx];
    orders.push(bundleOrder({ txs, blockNumber: WORKLOAD_BLOCK_NUMBER }, arrival[next++] as number));
  }
  orders.sort((a, b) => a.seq - b.seq);

  const withdrawals = Array.from({ length: 4 }, (_, i) =>
    createWithdrawal({
      index: BigInt(i),
      validatorIndex: BigInt(1000 + i),
      address: deriveAddress(seed, "withdrawal", i),
      amount: 32_000_000_000n + BigInt(i),
    }),
  );
  const attributes: BlockAttributes = {
    parentHash: deriveBytes(seed, "parent-hash", 0),
    number: WORKLOAD_BLOCK_NUMBER,
    timestamp: WORKLOAD_TIMESTAMP,
    gasLimit: options.gasLimit ?? 30_000_000n,
    baseFeePerGas: WORKLOAD_BASE_FEE,
    prevRandao: deriveBytes(seed, "prev-randao", 0),
    coinbase,
    feeRecipient: deriveAddress(seed, "proposer", 0),
    withdrawals,
    parentBeaconBlockRoot: deriveBytes(seed, "parent-beacon-root", 0),
    excessBlobGas: 0n,
  };
  return {
    common,
    base,
    attributes,
    builder,
    funded,
    orders,
    counts: { transfers, erc20, swaps, victims, bundles: bundleIntents.length },
  };
}
