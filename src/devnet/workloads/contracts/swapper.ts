/**
 * The swapper: a hand-assembled contract that does what a Uniswap V2 router does for one hop, in one call,
 * for whoever calls it. The caller approves it once (the genesis writes an unlimited allowance), then:
 *
 *   swap(address pair, address tokenIn, uint256 amountIn, uint256 amountOutMin, bool zeroForOne)
 *     1. tokenIn.transferFrom(caller, pair, amountIn)          the input reaches the pair first, as V2 requires
 *     2. (reserve0, reserve1) = pair.getReserves()
 *     3. amountOut = amountIn·997·reserveOut / (reserveIn·1000 + amountIn·997)   (UniswapV2Library.getAmountOut)
 *     4. revert unless amountOut ≥ amountOutMin
 *     5. pair.swap(zeroForOne ? 0 : amountOut, zeroForOne ? amountOut : 0, caller, "")
 *     returns amountOut; a failed call's revert data is passed up unchanged.
 *
 * The amount out is computed on chain from the reserves the swap meets, so a swap succeeds in any block order
 * (what reordering builders and backrun bundles need); `amountOutMin` is its slippage bound. The arguments are
 * ABI-encoded after the selector of the signature above, which the contract does not check (it has one entry).
 * `zeroForOne` says whether tokenIn is the pair's token0. Amounts must stay below 2^112 (reserves' width) so the
 * products cannot overflow. Bytecode: `SWAPPER_RUNTIME`, pinned in the tests.
 */
import type { Address } from "@ethereumjs/util";
import { encodeAbiParameters, hexToBytes, parseAbi, toFunctionSelector } from "viem";
import { assemble } from "../evmAssembler.js";
import { withSelector } from "./uniswapV2.js";

export const SWAPPER_ABI = parseAbi([
  "function swap(address pair, address tokenIn, uint256 amountIn, uint256 amountOutMin, bool zeroForOne) returns (uint256 amountOut)",
]);

const SWAP = SWAPPER_ABI[0];
const SWAP_SELECTOR = hexToBytes(toFunctionSelector(SWAP));

export interface SwapCall {
  pair: Address;
  tokenIn: Address;
  amountIn: bigint;
  amountOutMin: bigint;
  /** Whether tokenIn is the pair's token0. */
  zeroForOne: boolean;
}

/** Calldata of a swapper call (the selector kept, as in `encodeTransfer`). */
export function encodeSwap(call: SwapCall): Uint8Array {
  return withSelector(
    SWAP_SELECTOR,
    encodeAbiParameters(SWAP.inputs, [
      call.pair.toString(),
      call.tokenIn.toString(),
      call.amountIn,
      call.amountOutMin,
      call.zeroForOne,
    ]),
  );
}

// Calldata offsets of the arguments (after the 4-byte selector).
const PAIR = "0x04";
const TOKEN_IN = "0x24";
const AMOUNT_IN = "0x44";
const AMOUNT_OUT_MIN = "0x64";
const ZERO_FOR_ONE = "0x84";

export const SWAPPER_PROGRAM: readonly string[] = [
  // 1. tokenIn.transferFrom(caller, pair, amountIn)
  "PUSH4 0x23b872dd PUSH1 0xe0 SHL PUSH0 MSTORE", // memory[0, 4) = transferFrom(address,address,uint256)
  "CALLER PUSH1 0x04 MSTORE", // memory[4, 36) = from: the caller
  `PUSH1 ${PAIR} CALLDATALOAD PUSH1 0x24 MSTORE`, // memory[36, 68) = to: the pair
  `PUSH1 ${AMOUNT_IN} CALLDATALOAD PUSH1 0x44 MSTORE`, // memory[68, 100) = amountIn
  "PUSH0 PUSH0 PUSH1 0x64 PUSH0 PUSH0", // [value 0, in 0, in size 100, out 0, out size 0] (top first)
  `PUSH1 ${TOKEN_IN} CALLDATALOAD GAS CALL`, // [ok]      CALL(gas, tokenIn, 0, 0, 100, 0, 0)
  "ISZERO PUSH @bubble JUMPI", // []                      on failure pass its revert up
  // 2. (reserve0, reserve1) = pair.getReserves(), into memory[0, 64)
  "PUSH4 0x0902f1ac PUSH1 0xe0 SHL PUSH0 MSTORE", // memory[0, 4) = getReserves()
  "PUSH1 0x40 PUSH0 PUSH1 0x04 PUSH0", // [in 0, in size 4, out 0, out size 64] (top first)
  `PUSH1 ${PAIR} CALLDATALOAD GAS STATICCALL`, // [ok]  STATICCALL(gas, pair, 0, 4, 0, 64)
  "ISZERO PUSH @bubble JUMPI", // []
  // 3. amountOut from the reserves, in the swap's direction
  `PUSH1 ${ZERO_FOR_ONE} CALLDATALOAD PUSH @zeroForOne JUMPI`,
  "PUSH0 MLOAD PUSH1 0x20 MLOAD", // [reserveIn = reserve1, reserveOut = reserve0]
  "PUSH @quote JUMP",
  "zeroForOne:",
  "PUSH1 0x20 MLOAD PUSH0 MLOAD", // [reserveIn = reserve0, reserveOut = reserve1]
  "quote:",
  "PUSH2 0x03e8 MUL", // [reserveIn·1000, reserveOut]
  `PUSH1 ${AMOUNT_IN} CALLDATALOAD PUSH2 0x03e5 MUL`, // [amountIn·997, reserveIn·1000, reserveOut]
  "SWAP1 DUP2 ADD", // [denominator, amountIn·997, reserveOut]
  "SWAP2 MUL", // [numerator, denominator]
  "DIV", // [amountOut]
  // 4. slippage bound
  `PUSH1 ${AMOUNT_OUT_MIN} CALLDATALOAD DUP2 LT`, // [amountOut < amountOutMin, amountOut]
  "PUSH @tooLittle JUMPI", // [amountOut]
  // 5. pair.swap(amount0Out, amount1Out, caller, "")
  "PUSH4 0x022c0d9f PUSH1 0xe0 SHL PUSH0 MSTORE", // memory[0, 4) = swap(uint256,uint256,address,bytes)
  `DUP1 PUSH1 ${ZERO_FOR_ONE} CALLDATALOAD PUSH @outIsToken1 JUMPI`, // [amountOut, amountOut]
  "PUSH1 0x04 MSTORE PUSH0 PUSH1 0x24 MSTORE", // amount0Out = amountOut, amount1Out = 0
  "PUSH @send JUMP",
  "outIsToken1:",
  "PUSH1 0x24 MSTORE PUSH0 PUSH1 0x04 MSTORE", // amount0Out = 0, amount1Out = amountOut
  "send:", // [amountOut]
  "CALLER PUSH1 0x44 MSTORE", // memory[68, 100) = to: the caller
  "PUSH1 0x80 PUSH1 0x64 MSTORE", // memory[100, 132) = offset of data
  "PUSH0 PUSH1 0x84 MSTORE", // memory[132, 164) = data length 0
  "PUSH0 PUSH0 PUSH1 0xa4 PUSH0 PUSH0", // [value 0, in 0, in size 164, out 0, out size 0] (top first)
  `PUSH1 ${PAIR} CALLDATALOAD GAS CALL`, // [ok, amountOut]   CALL(gas, pair, 0, 0, 164, 0, 0)
  "ISZERO PUSH @bubble JUMPI", // [amountOut]
  "PUSH0 MSTORE PUSH1 0x20 PUSH0 RETURN", // return amountOut
  "bubble:",
  "RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY", // memory[0, n) = the failed call's revert data
  "RETURNDATASIZE PUSH0 REVERT", // revert with it
  "tooLittle:",
  "PUSH0 PUSH0 REVERT",
];

export const SWAPPER_RUNTIME: Uint8Array = assemble(SWAPPER_PROGRAM);
