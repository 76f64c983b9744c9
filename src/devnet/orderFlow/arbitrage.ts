/**
 * A searcher's backrun contract for the generated order flow: a two-pool Uniswap V2 arbitrage that pays
 * the coinbase only when it profits, hand-assembled with the workloads' assembler.
 *
 *   arb(pairA, pairB, tokenIn, amountIn, aZeroForOne, bZeroForOne, minProfit, coinbase), with ether attached:
 *     1. tokenIn.transfer(pairA, amountIn)                 (the contract holds an inventory of tokenIn)
 *     2. mid = getAmountOut(amountIn, reserves of A)       (UniswapV2Library's formula, on chain)
 *     3. pairA.swap(…mid…, to: pairB, "")                  (the middle token goes straight into pool B)
 *     4. out = getAmountOut(mid, reserves of B)
 *     5. pairB.swap(…out…, to: this contract, "")
 *     6. revert unless out ≥ amountIn + minProfit          (no profit, no payment: a bundle drops it)
 *     7. coinbase.call{value: msg.value}("")               (the bid)
 */
import type { Address } from "@ethereumjs/util";
import { encodeAbiParameters, hexToBytes, parseAbiParameters } from "viem";
import { assemble } from "../workloads/evmAssembler.js";

const PAIR_A = "0x04";
const PAIR_B = "0x24";
const TOKEN_IN = "0x44";
const AMOUNT_IN = "0x64";
const A_ZERO_FOR_ONE = "0x84";
const B_ZERO_FOR_ONE = "0xa4";
const MIN_PROFIT = "0xc4";
const COINBASE = "0xe4";
/** Scratch memory for the middle amount and the final amount (above the call buffers). */
const MID = "0x0100";
const OUT = "0x0120";

/** getAmountOut(amount, reserves at memory[0, 64)) in the direction given by the flag at `direction`. */
function quote(amount: string, direction: string, tag: string): string[] {
  return [
    `PUSH1 ${direction} CALLDATALOAD PUSH @zeroForOne${tag} JUMPI`,
    "PUSH0 MLOAD PUSH1 0x20 MLOAD", // [reserveIn = reserve1, reserveOut = reserve0]
    `PUSH @quote${tag} JUMP`,
    `zeroForOne${tag}:`,
    "PUSH1 0x20 MLOAD PUSH0 MLOAD", // [reserveIn = reserve0, reserveOut = reserve1]
    `quote${tag}:`,
    "PUSH2 0x03e8 MUL", // [reserveIn·1000, reserveOut]
    `${amount} PUSH2 0x03e5 MUL`, // [amount·997, reserveIn·1000, reserveOut]
    "SWAP1 DUP2 ADD", // [denominator, amount·997, reserveOut]
    "SWAP2 MUL", // [numerator, denominator]
    "DIV", // [amountOut]
  ];
}

/** pair.swap(amountOut on the side `direction` gives, to, ""), amountOut on the stack; leaves nothing. */
function swap(pair: string, direction: string, to: string[], tag: string): string[] {
  return [
    "PUSH4 0x022c0d9f PUSH1 0xe0 SHL PUSH0 MSTORE", // swap(uint256,uint256,address,bytes)
    `PUSH1 ${direction} CALLDATALOAD PUSH @out1${tag} JUMPI`, // [amountOut]
    "PUSH1 0x04 MSTORE PUSH0 PUSH1 0x24 MSTORE", // amount0Out = amountOut, amount1Out = 0
    `PUSH @send${tag} JUMP`,
    `out1${tag}:`,
    "PUSH1 0x24 MSTORE PUSH0 PUSH1 0x04 MSTORE", // amount0Out = 0, amount1Out = amountOut
    `send${tag}:`,
    ...to,
    "PUSH1 0x44 MSTORE", // to
    "PUSH1 0x80 PUSH1 0x64 MSTORE", // offset of data
    "PUSH0 PUSH1 0x84 MSTORE", // data length 0
    "PUSH0 PUSH0 PUSH1 0xa4 PUSH0 PUSH0", // [value 0, in 0, in size 164, out 0, out size 0]
    `PUSH1 ${pair} CALLDATALOAD GAS CALL`,
    "ISZERO PUSH @bubble JUMPI",
  ];
}

function reserves(pair: string): string[] {
  return [
    "PUSH4 0x0902f1ac PUSH1 0xe0 SHL PUSH0 MSTORE", // getReserves()
    "PUSH1 0x40 PUSH0 PUSH1 0x04 PUSH0", // [in 0, in size 4, out 0, out size 64]
    `PUSH1 ${pair} CALLDATALOAD GAS STATICCALL`,
    "ISZERO PUSH @bubble JUMPI",
  ];
}

export const ARBITRAGE_PROGRAM: readonly string[] = [
  // 1. tokenIn.transfer(pairA, amountIn)
  "PUSH4 0xa9059cbb PUSH1 0xe0 SHL PUSH0 MSTORE",
  `PUSH1 ${PAIR_A} CALLDATALOAD PUSH1 0x04 MSTORE`,
  `PUSH1 ${AMOUNT_IN} CALLDATALOAD PUSH1 0x24 MSTORE`,
  "PUSH0 PUSH0 PUSH1 0x44 PUSH0 PUSH0",
  `PUSH1 ${TOKEN_IN} CALLDATALOAD GAS CALL`,
  "ISZERO PUSH @bubble JUMPI",
  // 2–3. through pool A into pool B
  ...reserves(PAIR_A),
  ...quote(`PUSH1 ${AMOUNT_IN} CALLDATALOAD`, A_ZERO_FOR_ONE, "A"),
  `DUP1 PUSH2 ${MID} MSTORE`,
  ...swap(PAIR_A, A_ZERO_FOR_ONE, [`PUSH1 ${PAIR_B} CALLDATALOAD`], "A"),
  // 4–5. out of pool B back to this contract
  ...reserves(PAIR_B),
  ...quote(`PUSH2 ${MID} MLOAD`, B_ZERO_FOR_ONE, "B"),
  `DUP1 PUSH2 ${OUT} MSTORE`,
  ...swap(PAIR_B, B_ZERO_FOR_ONE, ["ADDRESS"], "B"),
  // 6. out ≥ amountIn + minProfit
  `PUSH1 ${MIN_PROFIT} CALLDATALOAD PUSH1 ${AMOUNT_IN} CALLDATALOAD ADD`, // [need]
  `PUSH2 ${OUT} MLOAD LT`, // [out < need]
  "PUSH @tooLittle JUMPI",
  // 7. pay the coinbase what came with the call
  `PUSH0 PUSH0 PUSH0 PUSH0 CALLVALUE PUSH1 ${COINBASE} CALLDATALOAD GAS CALL`,
  "ISZERO PUSH @bubble JUMPI",
  "STOP",
  "bubble:",
  "RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY",
  "RETURNDATASIZE PUSH0 REVERT",
  "tooLittle:",
  "PUSH0 PUSH0 REVERT",
];

export const ARBITRAGE_RUNTIME: Uint8Array = assemble(ARBITRAGE_PROGRAM);

export interface ArbitrageCall {
  pairA: Address;
  pairB: Address;
  tokenIn: Address;
  amountIn: bigint;
  aZeroForOne: boolean;
  bZeroForOne: boolean;
  minProfit: bigint;
  coinbase: Address;
}

const PARAMS = parseAbiParameters("address, address, address, uint256, bool, bool, uint256, address");

export function encodeArbitrage(call: ArbitrageCall): Uint8Array {
  const args = hexToBytes(
    encodeAbiParameters(PARAMS, [
      call.pairA.toString(),
      call.pairB.toString(),
      call.tokenIn.toString(),
      call.amountIn,
      call.aZeroForOne,
      call.bZeroForOne,
      call.minProfit,
      call.coinbase.toString(),
    ]),
  );
  const out = new Uint8Array(4 + args.length);
  out.set([0xa7, 0xb1, 0x7e, 0x00], 0); // the contract has one entry and ignores the selector
  out.set(args, 4);
  return out;
}

/** UniswapV2Library.getAmountOut. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

/**
 * The arbitrage's best input, by ternary search on the integer profit: sell into pool A (reserves inA, outA)
 * and the middle token into pool B (inB = reserve of the middle token, outB).
 */
export function bestArbitrage(
  inA: bigint,
  outA: bigint,
  inB: bigint,
  outB: bigint,
): { amountIn: bigint; profit: bigint } {
  const profit = (x: bigint) => amountOut(amountOut(x, inA, outA), inB, outB) - x;
  let lo = 0n;
  let hi = inA;
  while (hi - lo > 2n) {
    const m1 = lo + (hi - lo) / 3n;
    const m2 = hi - (hi - lo) / 3n;
    if (profit(m1) < profit(m2)) lo = m1;
    else hi = m2;
  }
  let best = lo;
  for (let x = lo; x <= hi; x++) if (profit(x) > profit(best)) best = x;
  return { amountIn: best, profit: profit(best) };
}
