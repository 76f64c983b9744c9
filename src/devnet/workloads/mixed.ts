/**
 * A blend of every workload in one block, in shares of the kinds of transactions a mainnet block carries most:
 * 35 % ether transfers, 30 % ERC20 transfers, 20 % Uniswap V2 swaps, 15 % hash-actor calls (for other contract
 * calls). Each share has the block's conflict rate within itself (its own hot accounts, pool and instance), so
 * the block's overall rate is the same; the sealer shuffles them together.
 */
import { planErc20Transfers } from "./erc20.js";
import type { GenesisBuilder } from "./genesis.js";
import { planHashActorCalls } from "./hashActor.js";
import type { WorkloadPart } from "./plan.js";
import { planTransfers } from "./transfers.js";
import { planSwaps } from "./uniswap.js";

type Planner = (genesis: GenesisBuilder, count: number, conflictRate: number) => WorkloadPart;

export const MIXED_SHARES: readonly { share: number; plan: Planner }[] = [
  { share: 0.35, plan: planTransfers },
  { share: 0.3, plan: planErc20Transfers },
  { share: 0.2, plan: planSwaps },
  { share: 0.15, plan: planHashActorCalls },
];

/** How many of `count` transactions each share gets: floors, with the remainder to the first share. */
export function mixedCounts(count: number): number[] {
  const counts = MIXED_SHARES.map(({ share }) => Math.floor(count * share));
  counts[0] = (counts[0] as number) + count - counts.reduce((a, b) => a + b, 0);
  return counts;
}

export function planMixed(genesis: GenesisBuilder, count: number, conflictRate: number): WorkloadPart {
  const counts = mixedCounts(count);
  const parts: WorkloadPart[] = [];
  for (let i = 0; i < MIXED_SHARES.length; i++) {
    const n = counts[i] as number;
    if (n > 0) parts.push((MIXED_SHARES[i] as { plan: Planner }).plan(genesis, n, conflictRate));
  }
  return {
    intents: parts.flatMap((part) => part.intents),
    conflicting: parts.reduce((sum, part) => sum + part.conflicting, 0),
    noun: "mixed transactions",
    setting: `(${parts.map((part) => `${part.intents.length} ${part.noun}`).join(", ")})`,
    hotSpot: parts
      .filter((part) => part.conflicting > 0)
      .map((part) => `${part.noun}: ${part.hotSpot}`)
      .join("; "),
  };
}
