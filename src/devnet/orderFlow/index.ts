/**
 * Generated order flow: a slot's worth of orders (transfers, ERC20 transfers, Uniswap V2 swaps, backrun bundles
 * with a hand-assembled arbitrage contract) on a generated pre-state, for the building benchmark and tests.
 */
export { ARBITRAGE_RUNTIME, amountOut, bestArbitrage, encodeArbitrage } from "./arbitrage.js";
export { generateOrderFlow, type OrderFlow, type OrderFlowOptions } from "./generateOrderFlow.js";
