/** The hand-assembled contracts: the assembler, the cumulative-hash actor and the swapper, executed for real. */
import { Account, Address, bytesToBigInt, bytesToHex } from "@ethereumjs/util";
import { decodeErrorResult } from "viem";
import { describe, expect, test } from "vitest";
import { HASH_ACTOR_RUNTIME, nextActorHash } from "../../../src/devnet/workloads/contracts/hashActor.js";
import { encodeSwap, SWAPPER_RUNTIME } from "../../../src/devnet/workloads/contracts/swapper.js";
import { newToken, UniswapV2Genesis } from "../../../src/devnet/workloads/contracts/uniswapV2.js";
import { WorkloadError } from "../../../src/devnet/workloads/errors.js";
import { assemble, deployCode } from "../../../src/devnet/workloads/evmAssembler.js";
import { ETHER, GenesisBuilder, mappingSlot, word } from "../../../src/devnet/workloads/genesis.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { evmOn } from "./evm.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("evm assembler", () => {
  test("mnemonics, sized pushes, labels as two-byte pushes, label definitions as JUMPDEST", () => {
    expect(hex(assemble(["PUSH0 PUSH 0 PUSH 1 PUSH 0x1234 PUSH4 0x01", "PUSH @end JUMP", "end:", "STOP"]))).toBe(
      // PUSH0 PUSH0 PUSH1 01 PUSH2 1234 PUSH4 00000001 PUSH2 0010 JUMP | 0x10: JUMPDEST STOP
      "5f5f60016112346300000001610010565b00",
    );
  });

  test("bad programs are typed errors", () => {
    for (const program of [["BOGUS"], ["PUSH1 0x1234"], ["PUSH @nowhere"], ["a:", "a:"], ["PUSH2"]]) {
      expect(() => assemble(program)).toThrow(WorkloadError);
    }
  });

  test("deployCode's init code deploys the runtime unchanged", async () => {
    const evm = await evmOn(new StateLayer());
    const deployer = new Address(new Uint8Array(20).fill(1));
    const big = new Uint8Array(300).map((_, i) => i % 256);
    for (const runtime of [HASH_ACTOR_RUNTIME, SWAPPER_RUNTIME, big]) {
      const { created, reverted } = await evm.call(deployer, undefined, deployCode(runtime));
      expect(reverted).toBe(false);
      expect(hex(await evm.state.getCode(created as Address))).toBe(hex(runtime));
    }
  });
});

describe("cumulative-hash actor", () => {
  test("bytecode is pinned", () => {
    expect(hex(HASH_ACTOR_RUNTIME)).toBe("5f545f5233602052365f604037366040015f20805f556001546001016001555f5260205ff3");
  });

  test("each call folds caller and calldata into slot 0, counts in slot 1, returns the hash", async () => {
    const g = new GenesisBuilder(3);
    const actor = g.nextContractAddress();
    g.putContract(actor, HASH_ACTOR_RUNTIME);
    const evm = await evmOn(g.finish());
    let expected: Uint8Array = new Uint8Array(32);
    const calls: Array<[Address, Uint8Array]> = [
      [g.newAddress(), new Uint8Array(0)],
      [g.newAddress(), new Uint8Array(33).fill(7)],
      [g.newAddress(), new Uint8Array(96).map((_, i) => i)],
    ];
    for (const [i, [caller, data]] of calls.entries()) {
      const { returned, reverted } = await evm.call(caller, actor, data);
      expected = nextActorHash(expected, caller.bytes, data);
      expect(reverted).toBe(false);
      expect(hex(returned)).toBe(hex(expected));
      expect(hex(await evm.state.getStorage(actor, word(0n)))).toBe(hex(expected));
      expect(bytesToBigInt(await evm.state.getStorage(actor, word(1n)))).toBe(BigInt(i + 1));
    }
    // Order matters: the same calls in another order end at another hash.
    let swapped: Uint8Array = new Uint8Array(32);
    for (const [caller, data] of [calls[1], calls[0], calls[2]] as Array<[Address, Uint8Array]>) {
      swapped = nextActorHash(swapped, caller.bytes, data);
    }
    expect(hex(swapped)).not.toBe(hex(expected));
  });
});

describe("swapper", () => {
  async function market() {
    const g = new GenesisBuilder(5);
    const uniswap = new UniswapV2Genesis(g);
    const swapper = g.nextContractAddress();
    g.putContract(swapper, SWAPPER_RUNTIME);
    const [tokenA, tokenB] = [newToken(g), newToken(g)] as const;
    const pool = uniswap.createPool(tokenA, tokenB, 2_000_000n * ETHER, 5_000_000n * ETHER);
    const trader = g.newSigner();
    const stranger = g.newSigner();
    for (const token of [pool.token0, pool.token1]) {
      token.credit(trader.address, 1_000n * ETHER);
      token.approve(trader.address, swapper);
      token.credit(stranger.address, 1_000n * ETHER); // no allowance
      token.finish();
    }
    uniswap.finish();
    const evm = await evmOn(g.finish());
    await evm.state.putAccount(trader.address, new Account(0n, ETHER));
    const balance = async (token: Address, holder: Address) =>
      bytesToBigInt(await evm.state.getStorage(token, mappingSlot(1n, holder)));
    return { evm, pool, swapper, trader: trader.address, stranger: stranger.address, balance };
  }

  const quote = (amountIn: bigint, reserveIn: bigint, reserveOut: bigint) =>
    (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);

  test("bytecode is pinned", () => {
    expect(hex(SWAPPER_RUNTIME)).toMatchInlineSnapshot(
      `"6323b872dd60e01b5f52336004526004356024526044356044525f5f60645f5f6024355af1156100be57630902f1ac60e01b5f5260405f60045f6004355afa156100be57608435610054575f5160205161005a565b6020515f515b6103e8026044356103e50290810191020460643581106100c65763022c0d9f60e01b5f5280608435610092576004525f60245261009a565b6024525f6004525b3360445260806064525f6084525f5f60a45f5f6004355af1156100be575f5260205ff35b3d5f5f3e3d5ffd5b5f5ffd"`,
    );
  });

  test("swaps both ways at the router's price, returns the amount out, pays the caller", async () => {
    const { evm, pool, swapper, trader, balance } = await market();
    const t0 = pool.token0.address;
    const t1 = pool.token1.address;
    const amountIn = 10n * ETHER;

    const first = await evm.call(
      trader,
      swapper,
      encodeSwap({ pair: pool.pair, tokenIn: t0, amountIn, amountOutMin: 0n, zeroForOne: true }),
    );
    const out1 = quote(amountIn, pool.reserve0, pool.reserve1);
    expect(first.reverted).toBe(false);
    expect(bytesToBigInt(first.returned)).toBe(out1);
    expect(await balance(t0, trader)).toBe(1_000n * ETHER - amountIn);
    expect(await balance(t1, trader)).toBe(1_000n * ETHER + out1);
    expect(await balance(t0, pool.pair)).toBe(pool.reserve0 + amountIn);
    expect(await balance(t1, pool.pair)).toBe(pool.reserve1 - out1);

    // The other way, priced on the reserves the first swap left.
    const second = await evm.call(
      trader,
      swapper,
      encodeSwap({ pair: pool.pair, tokenIn: t1, amountIn, amountOutMin: 0n, zeroForOne: false }),
    );
    const out2 = quote(amountIn, pool.reserve1 - out1, pool.reserve0 + amountIn);
    expect(second.reverted).toBe(false);
    expect(bytesToBigInt(second.returned)).toBe(out2);
    expect(await balance(t0, pool.pair)).toBe(pool.reserve0 + amountIn - out2);
  });

  test("reverts below amountOutMin, and passes up the token's revert without an allowance", async () => {
    const { evm, pool, swapper, trader, stranger, balance } = await market();
    const t0 = pool.token0.address;
    const amountIn = ETHER;
    const exact = quote(amountIn, pool.reserve0, pool.reserve1);

    const tooLittle = await evm.call(
      trader,
      swapper,
      encodeSwap({ pair: pool.pair, tokenIn: t0, amountIn, amountOutMin: exact + 1n, zeroForOne: true }),
    );
    expect(tooLittle.reverted).toBe(true);
    expect(await balance(t0, trader)).toBe(1_000n * ETHER);

    const atBound = await evm.call(
      trader,
      swapper,
      encodeSwap({ pair: pool.pair, tokenIn: t0, amountIn, amountOutMin: exact, zeroForOne: true }),
    );
    expect(atBound.reverted).toBe(false);

    const unapproved = await evm.call(
      stranger,
      swapper,
      encodeSwap({ pair: pool.pair, tokenIn: t0, amountIn, amountOutMin: 0n, zeroForOne: true }),
    );
    expect(unapproved.reverted).toBe(true);
    const reason = decodeErrorResult({ data: bytesToHex(unapproved.returned) as `0x${string}` });
    expect(reason.args).toEqual(["ds-math-sub-underflow"]);
  });
});
