/**
 * The payout transaction: the last transaction of a block whose coinbase is the builder, paying the proposer's
 * fee recipient what the bid promised. It is sent by the coinbase with no tip (its fee would only come back to
 * the coinbase) and a max fee of the base fee: 21,000 gas to an account without code; a recipient with code
 * (a smart-wallet fee recipient) gets up to `CONTRACT_PAYOUT_GAS`, and its cost is measured by a dry run.
 */
import { createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import type { Address } from "@ethereumjs/util";
import { transactionCommon } from "../../execution/chain.js";
import { bytesKey } from "../../execution/state/keys.js";
import type { PartialBlock } from "../builders/partialBlock.js";
import type { ExecutionContext } from "../context.js";

/** The builder's signing key; its address must be the block's coinbase. */
export interface BuilderKey {
  key: Uint8Array;
  address: Address;
}

export const TRANSFER_GAS = 21_000n;
/** Gas limit of a payout to a contract (a wallet's receive logic). */
export const CONTRACT_PAYOUT_GAS = 100_000n;

/** Whether the fee recipient is a contract at this point of the block (it then needs more than 21,000 gas). */
export function recipientHasCode(block: PartialBlock, recipient: Address): boolean {
  return block.layer.codeOf(bytesKey(recipient.bytes)).length > 0;
}

export function payoutTransaction(
  ctx: ExecutionContext,
  block: PartialBlock,
  builder: BuilderKey,
  recipient: Address,
  value: bigint,
): TypedTransaction {
  const common = transactionCommon(ctx.common);
  const nonce = block.nonceOf(bytesKey(builder.address.bytes));
  const gasLimit = recipientHasCode(block, recipient) ? CONTRACT_PAYOUT_GAS : TRANSFER_GAS;
  const tx = common.isActivatedEIP(1559)
    ? createFeeMarket1559Tx(
        {
          chainId: common.chainId(),
          nonce,
          maxPriorityFeePerGas: 0n,
          maxFeePerGas: ctx.baseFee,
          gasLimit,
          to: recipient,
          value,
        },
        { common },
      )
    : createLegacyTx({ nonce, gasPrice: 0n, gasLimit, to: recipient, value }, { common });
  return tx.sign(builder.key);
}
