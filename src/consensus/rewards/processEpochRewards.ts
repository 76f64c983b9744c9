/**
 * Altair+ epoch reward accounting in O(V): `process_inactivity_updates` and `process_rewards_and_penalties`
 * (`get_flag_index_deltas` for the three flags, `get_inactivity_penalty_deltas`) fused into two passes over the
 * validator columns.
 *
 * 1. One pass sums what every per-validator term depends on: the total active balance, the unslashed participating
 *    balance of each flag, the largest effective-balance increment.
 * 2. The spec's per-validator rewards and penalties depend only on (increments, flag, participation), so they come
 *    from small tables computed once in exact integer arithmetic (BigInt, as the spec's uint64), then a second pass
 *    updates each eligible validator's inactivity score and applies its deltas in the spec's order, decreases
 *    stopping at zero.
 *
 * Sums of Gwei can pass 2^53 (mainnet's total is about 3.4e16), so they are kept as whole increments plus a
 * remainder, each exact in a double. The spec transcription in `spec.ts` is the reference it is tested against.
 */
import {
  BASE_REWARD_FACTOR,
  EFFECTIVE_BALANCE_INCREMENT,
  GENESIS_EPOCH,
  INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
  INACTIVITY_SCORE_BIAS,
  INACTIVITY_SCORE_RECOVERY_RATE,
  MIN_EPOCHS_TO_INACTIVITY_PENALTY,
  PARTICIPATION_FLAG_COUNT,
  PARTICIPATION_FLAG_WEIGHTS,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
  WEIGHT_DENOMINATOR,
} from "./constants.js";
import { assertRewardsState, type EpochRewardsResult, type RewardsState } from "./rewardsState.js";

const INCREMENT = EFFECTIVE_BALANCE_INCREMENT;
const INACTIVITY_PENALTY_DENOMINATOR = INACTIVITY_SCORE_BIAS * INACTIVITY_PENALTY_QUOTIENT_BELLATRIX;
const TARGET_BIT = 1 << TIMELY_TARGET_FLAG_INDEX;

/** An exact sum of Gwei amounts: whole increments and a remainder, each below 2^53 for any real state. */
class GweiSum {
  increments = 0;
  remainder = 0;
  add(gwei: number): void {
    const inc = Math.floor(gwei / INCREMENT);
    this.increments += inc;
    this.remainder += gwei - inc * INCREMENT;
  }
  toBigInt(): bigint {
    return BigInt(this.increments) * BigInt(INCREMENT) + BigInt(this.remainder);
  }
}

/** The spec's `integer_squareroot` (Newton's method on uint64). */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 0n) throw new RangeError("integerSquareRoot of a negative number");
  if (n === 2n ** 64n - 1n) return 4294967295n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/** `get_base_reward_per_increment` from the total active balance (Gwei). */
export function getBaseRewardPerIncrement(totalActiveBalance: bigint): number {
  const total = totalActiveBalance > BigInt(INCREMENT) ? totalActiveBalance : BigInt(INCREMENT);
  return Number((BigInt(INCREMENT) * BigInt(BASE_REWARD_FACTOR)) / integerSquareRoot(total));
}

/** `floor(effectiveBalance * score / (INACTIVITY_SCORE_BIAS * INACTIVITY_PENALTY_QUOTIENT))`, exact. */
function inactivityPenalty(effectiveBalance: number, score: number): number {
  const product = effectiveBalance * score;
  // Below 2^53 the product is exact, and dividing by a power of two is exact too.
  if (product < 2 ** 53) return Math.floor(product / INACTIVITY_PENALTY_DENOMINATOR);
  return Number((BigInt(effectiveBalance) * BigInt(score)) / BigInt(INACTIVITY_PENALTY_DENOMINATOR));
}

/**
 * `process_inactivity_updates` then `process_rewards_and_penalties` for the epoch ending at `state.currentEpoch`,
 * in linear time. The state is not modified; the result carries the new balances and inactivity scores and each
 * validator's total reward and penalty.
 */
export function processEpochRewards(state: RewardsState): EpochRewardsResult {
  const n = assertRewardsState(state);
  const balances = Float64Array.from(state.balances);
  const inactivityScores = Float64Array.from(state.inactivityScores);
  const rewards = new Float64Array(n);
  const penalties = new Float64Array(n);
  if (state.currentEpoch === GENESIS_EPOCH) return { balances, inactivityScores, rewards, penalties };

  const currentEpoch = state.currentEpoch;
  const previousEpoch = currentEpoch - 1;
  const { effectiveBalance, slashed, activationEpoch, exitEpoch, withdrawableEpoch } = state;
  const participation = state.previousEpochParticipation;
  const inLeak = previousEpoch - state.finalizedEpoch > MIN_EPOCHS_TO_INACTIVITY_PENALTY;

  // Pass 1: totals.
  const totalActive = new GweiSum();
  const flagBalance = Array.from({ length: PARTICIPATION_FLAG_COUNT }, () => new GweiSum());
  let maxIncrements = 0;
  for (let i = 0; i < n; i++) {
    const eb = effectiveBalance[i] as number;
    const activation = activationEpoch[i] as number;
    const exit = exitEpoch[i] as number;
    if (activation <= currentEpoch && currentEpoch < exit) totalActive.add(eb);
    if (activation <= previousEpoch && previousEpoch < exit && slashed[i] === 0) {
      const flags = participation[i] as number;
      for (let f = 0; f < PARTICIPATION_FLAG_COUNT; f++) {
        if ((flags >> f) & 1) (flagBalance[f] as GweiSum).add(eb);
      }
    }
    const inc = Math.floor(eb / INCREMENT);
    if (inc > maxIncrements) maxIncrements = inc;
  }

  // Reward and penalty tables by effective-balance increments, filled lazily in exact arithmetic.
  const totalActiveBalance = totalActive.toBigInt();
  const activeBalance = totalActiveBalance > BigInt(INCREMENT) ? totalActiveBalance : BigInt(INCREMENT);
  const baseRewardPerIncrement = BigInt(getBaseRewardPerIncrement(totalActiveBalance));
  const activeIncrements = activeBalance / BigInt(INCREMENT);
  const rewardTable: Float64Array[] = [];
  const penaltyTable: Float64Array[] = [];
  const flagNumerator: bigint[] = [];
  for (let f = 0; f < PARTICIPATION_FLAG_COUNT; f++) {
    rewardTable.push(new Float64Array(maxIncrements + 1).fill(-1));
    penaltyTable.push(new Float64Array(maxIncrements + 1).fill(-1));
    const participating = (flagBalance[f] as GweiSum).toBigInt();
    const participatingBalance = participating > BigInt(INCREMENT) ? participating : BigInt(INCREMENT);
    flagNumerator.push(BigInt(PARTICIPATION_FLAG_WEIGHTS[f] as number) * (participatingBalance / BigInt(INCREMENT)));
  }
  const rewardDenominator = activeIncrements * BigInt(WEIGHT_DENOMINATOR);
  const flagReward = (f: number, inc: number): number => {
    const table = rewardTable[f] as Float64Array;
    let r = table[inc] as number;
    if (r < 0) {
      const baseReward = BigInt(inc) * baseRewardPerIncrement;
      r = Number((baseReward * (flagNumerator[f] as bigint)) / rewardDenominator);
      table[inc] = r;
    }
    return r;
  };
  const flagPenalty = (f: number, inc: number): number => {
    const table = penaltyTable[f] as Float64Array;
    let p = table[inc] as number;
    if (p < 0) {
      const baseReward = BigInt(inc) * baseRewardPerIncrement;
      p = Number((baseReward * BigInt(PARTICIPATION_FLAG_WEIGHTS[f] as number)) / BigInt(WEIGHT_DENOMINATOR));
      table[inc] = p;
    }
    return p;
  };

  // Pass 2: inactivity scores, then each eligible validator's deltas in the spec's order.
  for (let i = 0; i < n; i++) {
    const activation = activationEpoch[i] as number;
    const exit = exitEpoch[i] as number;
    const activePrevious = activation <= previousEpoch && previousEpoch < exit;
    const isSlashed = slashed[i] === 1;
    if (!activePrevious && !(isSlashed && previousEpoch + 1 < (withdrawableEpoch[i] as number))) continue;

    const flags = activePrevious && !isSlashed ? (participation[i] as number) : 0;
    const matchingTarget = (flags & TARGET_BIT) !== 0;
    let score = inactivityScores[i] as number;
    score = matchingTarget ? score - Math.min(1, score) : score + INACTIVITY_SCORE_BIAS;
    if (!inLeak) score -= Math.min(INACTIVITY_SCORE_RECOVERY_RATE, score);
    inactivityScores[i] = score;

    const eb = effectiveBalance[i] as number;
    const inc = Math.floor(eb / INCREMENT);
    let balance = balances[i] as number;
    let rewardSum = 0;
    let penaltySum = 0;
    for (let f = 0; f < PARTICIPATION_FLAG_COUNT; f++) {
      if ((flags >> f) & 1) {
        if (!inLeak) {
          const r = flagReward(f, inc);
          balance += r;
          rewardSum += r;
        }
      } else if (f !== TIMELY_HEAD_FLAG_INDEX) {
        const p = flagPenalty(f, inc);
        balance = p > balance ? 0 : balance - p;
        penaltySum += p;
      }
    }
    if (!matchingTarget) {
      const p = inactivityPenalty(eb, score);
      balance = p > balance ? 0 : balance - p;
      penaltySum += p;
    }
    balances[i] = balance;
    rewards[i] = rewardSum;
    penalties[i] = penaltySum;
  }
  return { balances, inactivityScores, rewards, penalties };
}
