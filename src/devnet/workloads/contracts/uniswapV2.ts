/**
 * Uniswap V2 as the workloads deploy it: the real compiled contracts of `@uniswap/v2-core` 1.0.1 (`build/`,
 * the bytecode mainnet runs; the pair's init code hashes to mainnet's 0x96e8ac42…845f), with their storage
 * written from the Solidity layout instead of executing the constructors and calls (see `genesis.ts` for why;
 * `test/devnet/workloads/layouts.test.ts` checks every slot against real execution).
 *
 * Storage layout (solc 0.5.16, declaration order; constants take no slot):
 *   UniswapV2ERC20 (the test token `ERC20` and every pair):
 *     0 totalSupply · 1 balanceOf[address] · 2 allowance[owner][spender] · 3 DOMAIN_SEPARATOR · 4 nonces[address]
 *   UniswapV2Pair, after those:
 *     5 factory · 6 token0 · 7 token1 · 8 reserve0 (bits 0–111) | reserve1 (112–223) | blockTimestampLast (224–255)
 *     9 price0CumulativeLast · 10 price1CumulativeLast · 11 kLast · 12 unlocked (= 1)
 *   UniswapV2Factory: 0 feeTo · 1 feeToSetter · 2 getPair[tokenA][tokenB] · 3 allPairs (length; items at keccak(3))
 */
import { createRequire } from "node:module";
import type { Address } from "@ethereumjs/util";
import { hexToBytes } from "@ethereumjs/util";
import { encodeAbiParameters, parseAbi, toFunctionSelector, hexToBytes as viemHexToBytes } from "viem";
import { keccak256 } from "../../../execution/crypto/native.js";
import {
  create2Address,
  GENESIS_TIMESTAMP,
  type GenesisBuilder,
  mappingSlot,
  WORKLOAD_CHAIN_ID,
  word,
} from "../genesis.js";

interface Artifact {
  bytecode: string;
  evm: { deployedBytecode: { object: string } };
}

const require = createRequire(import.meta.url);
function artifact(name: string): { initCode: Uint8Array; runtime: Uint8Array } {
  const json = require(`@uniswap/v2-core/build/${name}.json`) as Artifact;
  return {
    initCode: hexToBytes(`0x${json.bytecode}`),
    runtime: hexToBytes(`0x${json.evm.deployedBytecode.object}`),
  };
}

/** The v2-core test token: `constructor(uint _totalSupply)` mints everything to the deployer. */
export const ERC20_ARTIFACT = artifact("ERC20");
/** `constructor(address _feeToSetter)`. */
export const FACTORY_ARTIFACT = artifact("UniswapV2Factory");
export const PAIR_ARTIFACT = artifact("UniswapV2Pair");
/** keccak256 of the pair's init code: what the factory's CREATE2 and every router's `pairFor` use. */
export const PAIR_INIT_CODE_HASH: Uint8Array = keccak256(PAIR_ARTIFACT.initCode);

export const ERC20_ABI = parseAbi([
  "function transfer(address to, uint256 value) returns (bool)",
  "function transferFrom(address from, address to, uint256 value) returns (bool)",
  "function approve(address spender, uint256 value) returns (bool)",
  "function balanceOf(address owner) view returns (uint256)",
]);
export const FACTORY_ABI = parseAbi(["function createPair(address tokenA, address tokenB) returns (address pair)"]);
export const PAIR_ABI = parseAbi([
  "function mint(address to) returns (uint256 liquidity)",
  "function sync()",
  "function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)",
  "function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)",
]);

const TRANSFER = ERC20_ABI[0];
const TRANSFER_SELECTOR = viemHexToBytes(toFunctionSelector(TRANSFER));

/**
 * Calldata of `transfer(to, value)`. viem's `encodeFunctionData` hashes the signature for the selector on every
 * call (a pure-JS keccak, most of the encoding time over thousands of calls), so the selector is kept.
 */
export function encodeTransfer(to: Address, value: bigint): Uint8Array {
  return withSelector(TRANSFER_SELECTOR, encodeAbiParameters(TRANSFER.inputs, [to.toString(), value]));
}

/** A selector followed by ABI-encoded arguments (hex). */
export function withSelector(selector: Uint8Array, args: `0x${string}`): Uint8Array {
  const body = viemHexToBytes(args);
  const out = new Uint8Array(4 + body.length);
  out.set(selector, 0);
  out.set(body, 4);
  return out;
}

const MAX_UINT256 = (1n << 256n) - 1n;
/** The pair locks this much liquidity at address zero on the first mint. */
export const MINIMUM_LIQUIDITY = 1000n;
/** What the deployer keeps of every token (the constructor's mint, less what the genesis hands out). */
export const DEPLOYER_TOKENS = 10n ** 30n;

const EIP712_DOMAIN_TYPEHASH = keccak256(
  new TextEncoder().encode("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);
const NAME_HASH = keccak256(new TextEncoder().encode("Uniswap V2"));
const VERSION_HASH = keccak256(new TextEncoder().encode("1"));

/** UniswapV2ERC20's constructor: the EIP-712 domain of the token at `address` on mainnet. */
export function domainSeparator(address: Address): Uint8Array {
  const encoded = new Uint8Array(160);
  encoded.set(EIP712_DOMAIN_TYPEHASH, 0);
  encoded.set(NAME_HASH, 32);
  encoded.set(VERSION_HASH, 64);
  encoded.set(word(WORKLOAD_CHAIN_ID), 96);
  encoded.set(word(address), 128);
  return keccak256(encoded);
}

/**
 * An instance of UniswapV2ERC20's storage being written: balances and allowances as the genesis hands them out,
 * then `finish` writes the total supply (the deployer's share plus everything handed out) and the domain.
 */
export class Erc20Genesis {
  readonly address: Address;
  readonly #genesis: GenesisBuilder;
  readonly #balances = new Map<string, bigint>();
  #supply = 0n;

  constructor(genesis: GenesisBuilder, address: Address) {
    this.#genesis = genesis;
    this.address = address;
  }

  credit(holder: Address, amount: bigint): void {
    const key = holder.toString();
    const balance = (this.#balances.get(key) ?? 0n) + amount;
    this.#balances.set(key, balance);
    this.#supply += amount;
    this.#genesis.putSlot(this.address, mappingSlot(1n, holder), balance);
  }

  approve(owner: Address, spender: Address, amount = MAX_UINT256): void {
    this.#genesis.putSlot(this.address, mappingSlot(mappingSlot(2n, owner), spender), amount);
  }

  /** The deployer's own balance, total supply, domain separator, code. */
  finish(runtime: Uint8Array = ERC20_ARTIFACT.runtime): void {
    const g = this.#genesis;
    g.putContract(this.address, runtime);
    this.credit(g.deployer.address, DEPLOYER_TOKENS);
    g.putSlot(this.address, 0n, this.#supply);
    g.putSlot(this.address, 3n, domainSeparator(this.address));
  }
}

/** A token deployed by the deployer (`new ERC20(totalSupply)`), to be filled with balances and then finished. */
export function newToken(genesis: GenesisBuilder): Erc20Genesis {
  return new Erc20Genesis(genesis, genesis.nextContractAddress());
}

export interface Pool {
  readonly pair: Address;
  readonly token0: Erc20Genesis;
  readonly token1: Erc20Genesis;
  readonly reserve0: bigint;
  readonly reserve1: bigint;
}

/** Floor of the square root (Uniswap's `Math.sqrt`, Babylonian method, gives the same). */
export function sqrt(y: bigint): bigint {
  if (y < 4n) return y === 0n ? 0n : 1n;
  // Newton's method from a power of two above the root (2^ceil(bits/2)): a handful of steps, not ~bits/2.
  let z = 1n << BigInt(Math.ceil(y.toString(2).length / 2));
  let x = (y / z + z) / 2n;
  while (x < z) {
    z = x;
    x = (y / x + x) / 2n;
  }
  return z;
}

/** Token order inside a pair: the lower address is token0 (`UniswapV2Factory.createPair`). */
export function sortTokens(a: Erc20Genesis, b: Erc20Genesis): [Erc20Genesis, Erc20Genesis] {
  return Buffer.compare(a.address.bytes, b.address.bytes) < 0 ? [a, b] : [b, a];
}

/** How long before the parent block each pool was created and funded: its price accumulators' history. */
export const POOL_AGE = 86_400n;

/**
 * The factory and its pairs. Each pool is what `createPair(a, b)`, `a.transfer(pair, x)`, `b.transfer(pair, y)`,
 * `pair.mint(deployer)` leave `POOL_AGE` before the parent block, then `pair.sync()` at the parent block: a pool
 * with history, whose price accumulators are non-zero (so a swap's SSTOREs cost what they cost on mainnet).
 */
export class UniswapV2Genesis {
  readonly factory: Address;
  readonly pools: Pool[] = [];
  readonly #genesis: GenesisBuilder;

  constructor(genesis: GenesisBuilder) {
    this.#genesis = genesis;
    this.factory = genesis.nextContractAddress();
  }

  pairAddress(tokenA: Erc20Genesis, tokenB: Erc20Genesis): Address {
    const [token0, token1] = sortTokens(tokenA, tokenB);
    const salt = keccak256(Buffer.concat([token0.address.bytes, token1.address.bytes]));
    return create2Address(this.factory, salt, PAIR_INIT_CODE_HASH);
  }

  createPool(tokenA: Erc20Genesis, tokenB: Erc20Genesis, amountA: bigint, amountB: bigint): Pool {
    const g = this.#genesis;
    const [token0, token1] = sortTokens(tokenA, tokenB);
    const [reserve0, reserve1] = token0 === tokenA ? [amountA, amountB] : [amountB, amountA];
    const pair = this.pairAddress(tokenA, tokenB);
    const index = BigInt(this.pools.length);

    // createPair: the pair's constructor and initialize(token0, token1); the factory's registries.
    g.putContract(pair, PAIR_ARTIFACT.runtime);
    g.putSlot(pair, 3n, domainSeparator(pair));
    g.putSlot(pair, 5n, word(this.factory));
    g.putSlot(pair, 6n, word(token0.address));
    g.putSlot(pair, 7n, word(token1.address));
    g.putSlot(pair, 12n, 1n);
    g.putSlot(this.factory, mappingSlot(mappingSlot(2n, token0.address), token1.address), word(pair));
    g.putSlot(this.factory, mappingSlot(mappingSlot(2n, token1.address), token0.address), word(pair));
    g.putSlot(this.factory, allPairsItem(index), word(pair));

    // The liquidity: both amounts transferred in, mint(deployer) with the fee off (feeTo unset).
    token0.credit(pair, reserve0);
    token1.credit(pair, reserve1);
    const liquidity = sqrt(reserve0 * reserve1);
    g.putSlot(pair, 0n, liquidity);
    g.putSlot(pair, mappingSlot(1n, 0n), MINIMUM_LIQUIDITY);
    g.putSlot(pair, mappingSlot(1n, g.deployer.address), liquidity - MINIMUM_LIQUIDITY);
    // sync() at the parent block: the accumulators add price × time since the mint (UQ112x112, in _update).
    g.putSlot(pair, 8n, reserve0 | (reserve1 << 112n) | ((GENESIS_TIMESTAMP % 2n ** 32n) << 224n));
    g.putSlot(pair, 9n, ((reserve1 << 112n) / reserve0) * POOL_AGE);
    g.putSlot(pair, 10n, ((reserve0 << 112n) / reserve1) * POOL_AGE);

    const pool = { pair, token0, token1, reserve0, reserve1 };
    this.pools.push(pool);
    return pool;
  }

  /** The factory: `constructor(deployer)`, the pair count, and a nonce that counted each CREATE2. */
  finish(): void {
    const g = this.#genesis;
    g.putContract(this.factory, FACTORY_ARTIFACT.runtime, 1n + BigInt(this.pools.length));
    g.putSlot(this.factory, 1n, word(g.deployer.address));
    g.putSlot(this.factory, 3n, BigInt(this.pools.length));
  }
}

const ALL_PAIRS_BASE = BigInt(`0x${Buffer.from(keccak256(word(3n))).toString("hex")}`);
function allPairsItem(index: bigint): bigint {
  return ALL_PAIRS_BASE + index;
}
