/**
 * What each workload's planner hands the block sealer: transactions as intents (sender, recipient, value,
 * calldata, gas limit), unsigned and unordered; the sealer orders them, numbers nonces, funds and signs.
 *
 * Conflicts: a planner makes `hotCount(count, rate)` of its transactions touch shared state (a hot account, a
 * hot pool, a hot contract instance) and keeps every other one on state no other transaction touches, so the
 * fraction of transactions that conflict with another is the conflict rate, rounded to whole transactions.
 */
import type { Address } from "@ethereumjs/util";
import type { Signer } from "./accounts.js";

export interface TxIntent {
  readonly from: Signer;
  readonly to: Address;
  readonly value: bigint;
  readonly data: Uint8Array;
  readonly gasLimit: bigint;
}

export interface WorkloadPart {
  readonly intents: TxIntent[];
  /** How many of the intents touch shared state with another one (by construction). */
  readonly conflicting: number;
  /** What the part is, plural noun phrase: "ERC20 transfers". */
  readonly noun: string;
  /** Where, if worth saying: "over 4501 pools of 96 tokens", or "". */
  readonly setting: string;
  /** The conflicting transactions and where they conflict, for the description: "500 to 4 hot recipients". */
  readonly hotSpot: string;
}

/**
 * How many of `count` transactions conflict at `rate`: rounded to whole transactions, and never exactly one
 * (a transaction cannot conflict alone: one becomes two).
 */
export function hotCount(count: number, rate: number): number {
  if (count < 2) return 0;
  const hot = Math.round(rate * count);
  return hot === 1 ? 2 : hot;
}

/** How many hot entities share `hot` transactions: at most `max`, and at least two transactions each. */
export function hotEntities(hot: number, max: number): number {
  return hot === 0 ? 0 : Math.max(1, Math.min(max, Math.floor(hot / 2)));
}
