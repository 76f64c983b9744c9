/**
 * Plain ether transfers. Cold ones go from a fresh sender to a fresh recipient; hot ones go to or from (a coin
 * flip each) one of at most `HOT_ACCOUNTS` hot accounts, an exchange wallet of sorts that already holds ether:
 * two transactions on the same hot account conflict on its balance (and, when both send, on its nonce).
 */
import { EMPTY_BYTES } from "../../execution/state/layer.js";
import { ETHER, type GenesisBuilder } from "./genesis.js";
import { hotCount, hotEntities, type TxIntent, type WorkloadPart } from "./plan.js";

/** The most hot accounts the conflicting share of a transfer or ERC20 block is spread over. */
export const HOT_ACCOUNTS = 4;
export const TRANSFER_GAS_LIMIT = 21_000n;

export function planTransfers(genesis: GenesisBuilder, count: number, conflictRate: number): WorkloadPart {
  const random = genesis.random;
  const hot = hotCount(count, conflictRate);
  const hotAccounts = Array.from({ length: hotEntities(hot, HOT_ACCOUNTS) }, () => genesis.newSigner("hot-account"));
  for (const account of hotAccounts) genesis.addBalance(account.address, 1_000n * ETHER);

  const intents: TxIntent[] = [];
  for (let i = 0; i < count; i++) {
    const value = random.bigint(ETHER / 1000n, ETHER);
    const hotAccount = i < hot ? hotAccounts[i % hotAccounts.length] : undefined;
    if (hotAccount !== undefined && random.chance(0.5)) {
      intents.push({
        from: hotAccount,
        to: genesis.newAddress(),
        value,
        data: EMPTY_BYTES,
        gasLimit: TRANSFER_GAS_LIMIT,
      });
    } else {
      const to = hotAccount?.address ?? genesis.newAddress();
      intents.push({ from: genesis.newSigner(), to, value, data: EMPTY_BYTES, gasLimit: TRANSFER_GAS_LIMIT });
    }
  }
  return {
    intents,
    conflicting: hot,
    noun: "ether transfers",
    setting: "",
    hotSpot: `${hot} to or from ${hotAccounts.length} hot account${hotAccounts.length === 1 ? "" : "s"}`,
  };
}
