/**
 * A mainnet block fixture as the parent to build on: its pre-state is the parent state, its header fixes the
 * block's attributes (number, timestamp, gas limit, base fee, prevRandao, withdrawals, parent beacon root,
 * excess blob gas), and its transactions are orders a builder may take. The backtest and `weft builder
 * --fixture` build on it; only the coinbase and the fee recipient change from one build to the next.
 *
 * A fixture holds only the state its landed block touched: anything else reads as empty.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { Address } from "@ethereumjs/util";
import type { BlockFixture } from "../execution/fixture.js";
import type { StateLayer } from "../execution/state/layer.js";
import { openFixture } from "../execution/weftEngine.js";
import type { BlockAttributes } from "./context.js";
import { type TransactionOrder, transactionOrder } from "./orders/order.js";

export interface FixtureParent {
  /** The rules of the fixture's block (its hardfork on mainnet). */
  common: Common;
  /** The fixture's block, decoded: its header gives the attributes, its transactions are the fixture's orders. */
  block: Block;
  /** The pre-state: read, never written. */
  base: StateLayer;
  parentHash: Uint8Array;
  /** The block's attributes with this coinbase and fee recipient (the same address when no payout is made). */
  attributes(coinbase: Address, feeRecipient: Address): BlockAttributes;
  /**
   * The block's transactions as orders, in block order (`seq` numbers them), blob transactions left out: a
   * fixture has no sidecars to bundle with them.
   */
  orders(seq: (index: number) => number): TransactionOrder[];
}

/** Decodes the fixture's block and builds its pre-state (loading KZG when the block carries blobs). */
export async function fixtureParent(fixture: BlockFixture, file?: string): Promise<FixtureParent> {
  const { common, block, base } = await openFixture(fixture, file);
  const h = block.header;
  return {
    common,
    block,
    base,
    parentHash: h.parentHash,
    attributes(coinbase, feeRecipient) {
      const attributes: BlockAttributes = {
        parentHash: h.parentHash,
        number: h.number,
        timestamp: h.timestamp,
        gasLimit: h.gasLimit,
        prevRandao: h.mixHash,
        difficulty: h.difficulty,
        coinbase,
        feeRecipient,
        extraData: h.extraData,
        blockHashes: fixture.blockHashes,
      };
      if (h.baseFeePerGas !== undefined) attributes.baseFeePerGas = h.baseFeePerGas;
      if (block.withdrawals !== undefined) attributes.withdrawals = block.withdrawals;
      if (h.parentBeaconBlockRoot !== undefined) attributes.parentBeaconBlockRoot = h.parentBeaconBlockRoot;
      if (h.excessBlobGas !== undefined) attributes.excessBlobGas = h.excessBlobGas;
      return attributes;
    },
    orders(seq) {
      const orders: TransactionOrder[] = [];
      block.transactions.forEach((tx, i) => {
        if (tx.type !== 3) orders.push(transactionOrder(tx, seq(i)));
      });
      return orders;
    },
  };
}
