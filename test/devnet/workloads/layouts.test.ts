/**
 * The genesis writes Uniswap V2 state from the Solidity storage layout instead of executing the contracts; here
 * the same state is built by executing the real constructors and calls on weft's engine, and the two must be
 * equal account by account, slot by slot.
 */
import { Account, Address, bytesToHex, hexToBytes } from "@ethereumjs/util";
import { encodeFunctionData } from "viem";
import { describe, expect, test } from "vitest";
import {
  DEPLOYER_TOKENS,
  ERC20_ABI,
  ERC20_ARTIFACT,
  FACTORY_ABI,
  FACTORY_ARTIFACT,
  newToken,
  PAIR_ABI,
  PAIR_ARTIFACT,
  PAIR_INIT_CODE_HASH,
  POOL_AGE,
  sqrt,
  UniswapV2Genesis,
} from "../../../src/devnet/workloads/contracts/uniswapV2.js";
import {
  createAddress,
  ETHER,
  GENESIS_TIMESTAMP,
  GenesisBuilder,
  word,
} from "../../../src/devnet/workloads/genesis.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { dumpState, evmOn } from "./evm.js";

const bytes = (hex: `0x${string}`) => hexToBytes(hex);

describe("Uniswap V2 genesis layout", () => {
  test("the artifacts are mainnet's: the pair's init code hash is the one every V2 router hard-codes", () => {
    expect(bytesToHex(PAIR_INIT_CODE_HASH)).toBe("0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f");
  });

  test("floor square root", () => {
    for (const y of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 50n, 10n ** 50n + 1n, (1n << 224n) - 1n]) {
      const r = sqrt(y);
      expect(r * r <= y && (r + 1n) * (r + 1n) > y).toBe(true);
    }
  });

  test("factory, two tokens, a pool with liquidity and history, a holder with an allowance: written equals executed", async () => {
    const seed = 7;
    const amountA = 3_000_000n * ETHER + 12_345n;
    const amountB = 70_000_000n * ETHER + 678n;
    const held = 5n * ETHER;
    const spender = new Address(new Uint8Array(20).fill(0x5e));

    // Written: the genesis builder.
    const g = new GenesisBuilder(seed);
    const uniswap = new UniswapV2Genesis(g);
    const tokenA = newToken(g);
    const tokenB = newToken(g);
    const holder = g.newSigner();
    const pool = uniswap.createPool(tokenA, tokenB, amountA, amountB);
    tokenA.credit(holder.address, held);
    tokenA.approve(holder.address, spender);
    tokenA.finish();
    tokenB.finish();
    uniswap.finish();
    const written = g.finish();

    // Executed: the same deployer deploys and calls the real contracts.
    const executed = new StateLayer();
    const evm = await evmOn(executed);
    const deployer = g.deployer.address;
    await evm.state.putAccount(deployer, new Account(0n, 1_000n * ETHER));
    const factory = await evm.call(deployer, undefined, concat(FACTORY_ARTIFACT.initCode, word(deployer)));
    const supplyA = DEPLOYER_TOKENS + amountA + held;
    const supplyB = DEPLOYER_TOKENS + amountB;
    const a = await evm.call(deployer, undefined, concat(ERC20_ARTIFACT.initCode, word(supplyA)));
    const b = await evm.call(deployer, undefined, concat(ERC20_ARTIFACT.initCode, word(supplyB)));
    expect([factory.created, a.created, b.created].map(String)).toEqual(
      [uniswap.factory, tokenA.address, tokenB.address].map(String),
    );
    expect(String(a.created)).toBe(String(createAddress(deployer, 1n)));

    const factoryAddress = factory.created as Address;
    const pairCreated = await evm.call(
      deployer,
      factoryAddress,
      bytes(encodeFunctionData({ abi: FACTORY_ABI, functionName: "createPair", args: [addr(a), addr(b)] })),
    );
    expect(pairCreated.reverted).toBe(false);
    expect(bytesToHex(pairCreated.returned.slice(12))).toBe(pool.pair.toString());
    const transfer = (to: Address, value: bigint) =>
      bytes(encodeFunctionData({ abi: ERC20_ABI, functionName: "transfer", args: [to.toString(), value] }));
    // Funded and minted POOL_AGE before the parent block, synced at the parent block.
    const created = GENESIS_TIMESTAMP - POOL_AGE;
    await evm.call(deployer, a.created as Address, transfer(pool.pair, amountA), created);
    await evm.call(deployer, b.created as Address, transfer(pool.pair, amountB), created);
    const minted = await evm.call(
      deployer,
      pool.pair,
      bytes(encodeFunctionData({ abi: PAIR_ABI, functionName: "mint", args: [deployer.toString()] })),
      created,
    );
    expect(minted.reverted).toBe(false);
    const synced = await evm.call(
      deployer,
      pool.pair,
      bytes(encodeFunctionData({ abi: PAIR_ABI, functionName: "sync" })),
    );
    expect(synced.reverted).toBe(false);
    await evm.call(deployer, a.created as Address, transfer(holder.address, held));
    const approved = await evm.call(
      holder.address,
      a.created as Address,
      bytes(
        encodeFunctionData({ abi: ERC20_ABI, functionName: "approve", args: [spender.toString(), 2n ** 256n - 1n] }),
      ),
    );
    expect(approved.reverted).toBe(false);

    // The executed pair's code is the artifact's runtime, and the whole state matches.
    expect(bytesToHex(await evm.state.getCode(pool.pair))).toBe(bytesToHex(PAIR_ARTIFACT.runtime));
    expect(dumpState(written)).toEqual(dumpState(executed));
  });
});

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length + y.length);
  out.set(x, 0);
  out.set(y, x.length);
  return out;
}

function addr(result: { created: Address | undefined }): `0x${string}` {
  return (result.created as Address).toString();
}
