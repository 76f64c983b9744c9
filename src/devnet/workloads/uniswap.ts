/**
 * Uniswap V2 swaps through the swapper (`contracts/swapper.ts`) on real v2-core pairs.
 *
 * Pools: one hot pool that every conflicting swap trades on, and one pool of its own for every other swap, so
 * two swaps conflict exactly when both are on the hot pool (its reserves, balances and price accumulators).
 * Pools pair up `tokenCount` tokens, each pair of tokens at most once; tokens are shared between pools without
 * conflict, since a swap touches only the `balanceOf` slots of its sender and its pair.
 *
 * Each swap: a fresh sender holding exactly its input (and an unlimited allowance for the swapper), a coin-flip
 * direction, an input of 0.0001–0.1 % of the pool's reserve at genesis, no slippage bound: the amount out is
 * quoted on chain, so every swap succeeds in any order.
 */
import { encodeSwap, SWAPPER_RUNTIME } from "./contracts/swapper.js";
import { type Erc20Genesis, newToken, type Pool, UniswapV2Genesis } from "./contracts/uniswapV2.js";
import { ETHER, type GenesisBuilder } from "./genesis.js";
import { hotCount, type TxIntent, type WorkloadPart } from "./plan.js";

/** ~92–103k gas used (two token transfers, the pair's update; more on a pool's first swap of the block). */
export const SWAP_GAS_LIMIT = 200_000n;

/** The fewest tokens whose distinct pairs number at least `pools`. */
export function tokenCount(pools: number): number {
  let tokens = 2;
  while ((tokens * (tokens - 1)) / 2 < pools) tokens++;
  return tokens;
}

export function planSwaps(genesis: GenesisBuilder, count: number, conflictRate: number): WorkloadPart {
  const random = genesis.random;
  const hot = hotCount(count, conflictRate);
  const poolCount = count - hot + (hot > 0 ? 1 : 0);

  const uniswap = new UniswapV2Genesis(genesis);
  const swapper = genesis.nextContractAddress();
  genesis.putContract(swapper, SWAPPER_RUNTIME);
  const tokens: Erc20Genesis[] = Array.from({ length: tokenCount(poolCount) }, () => newToken(genesis));
  const pools: Pool[] = [];
  for (let a = 0; a < tokens.length && pools.length < poolCount; a++) {
    for (let b = a + 1; b < tokens.length && pools.length < poolCount; b++) {
      const reserveA = random.bigint(1_000_000n * ETHER, 100_000_000n * ETHER);
      const reserveB = random.bigint(1_000_000n * ETHER, 100_000_000n * ETHER);
      pools.push(uniswap.createPool(tokens[a] as Erc20Genesis, tokens[b] as Erc20Genesis, reserveA, reserveB));
    }
  }

  const intents: TxIntent[] = [];
  for (let i = 0; i < count; i++) {
    const pool = pools[i < hot ? 0 : i - hot + (hot > 0 ? 1 : 0)] as Pool;
    const zeroForOne = random.chance(0.5);
    const tokenIn = zeroForOne ? pool.token0 : pool.token1;
    const reserveIn = zeroForOne ? pool.reserve0 : pool.reserve1;
    const amountIn = (reserveIn * random.bigint(1n, 1000n)) / 1_000_000n;
    const from = genesis.newSigner();
    tokenIn.credit(from.address, amountIn);
    tokenIn.approve(from.address, swapper);
    const data = encodeSwap({ pair: pool.pair, tokenIn: tokenIn.address, amountIn, amountOutMin: 0n, zeroForOne });
    intents.push({ from, to: swapper, value: 0n, data, gasLimit: SWAP_GAS_LIMIT });
  }
  for (const token of tokens) token.finish();
  uniswap.finish();
  return {
    intents,
    conflicting: hot,
    noun: "Uniswap V2 swaps",
    setting: `over ${pools.length} pool${pools.length === 1 ? "" : "s"} of ${tokens.length} tokens`,
    hotSpot: `${hot} on one hot pool`,
  };
}
