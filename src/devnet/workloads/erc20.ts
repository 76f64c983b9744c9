/**
 * ERC20 transfers of one token (the real `ERC20` of `@uniswap/v2-core`, a UniswapV2ERC20). Every sender is a
 * distinct holder; cold transfers go to fresh recipients, hot ones to one of at most `HOT_ACCOUNTS` hot
 * recipients (holders already): two transfers to the same one conflict on its `balanceOf` slot.
 */
import { encodeTransfer, newToken } from "./contracts/uniswapV2.js";
import { ETHER, type GenesisBuilder } from "./genesis.js";
import { hotCount, hotEntities, type TxIntent, type WorkloadPart } from "./plan.js";
import { HOT_ACCOUNTS } from "./transfers.js";

/** ~51k gas used for a transfer to a new holder (21k of it intrinsic); the limit leaves room. */
export const ERC20_TRANSFER_GAS_LIMIT = 80_000n;

export function planErc20Transfers(genesis: GenesisBuilder, count: number, conflictRate: number): WorkloadPart {
  const random = genesis.random;
  const token = newToken(genesis);
  const hot = hotCount(count, conflictRate);
  const hotRecipients = Array.from({ length: hotEntities(hot, HOT_ACCOUNTS) }, () =>
    genesis.newAddress("hot-recipient"),
  );
  for (const recipient of hotRecipients) token.credit(recipient, random.bigint(ETHER, 1_000_000n * ETHER));

  const intents: TxIntent[] = [];
  for (let i = 0; i < count; i++) {
    const from = genesis.newSigner();
    const balance = random.bigint(10n * ETHER, 10_000n * ETHER);
    token.credit(from.address, balance);
    const to = i < hot ? (hotRecipients[i % hotRecipients.length] ?? genesis.newAddress()) : genesis.newAddress();
    const amount = random.bigint(1n, balance);
    const data = encodeTransfer(to, amount);
    intents.push({ from, to: token.address, value: 0n, data, gasLimit: ERC20_TRANSFER_GAS_LIMIT });
  }
  token.finish();
  return {
    intents,
    conflicting: hot,
    noun: "ERC20 transfers",
    setting: "",
    hotSpot: `${hot} to ${hotRecipients.length} hot recipient${hotRecipients.length === 1 ? "" : "s"}`,
  };
}
