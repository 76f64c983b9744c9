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
 * remainder, each exact in a double. Hot loops read the typed-array columns directly and allocate nothing per
 * validator. The spec transcription in `spec.ts` is the reference it is tested against.
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
  // slice() copies typed arrays with a memcpy (Float64Array.from would iterate).
  const balances = state.balances.slice();
  const inactivityScores = state.inactivityScores.slice();
  const rewards = new Float64Array(n);
  const penalties = new Float64Array(n);
  if (state.currentEpoch === GENESIS_EPOCH) return { balances, inactivityScores, rewards, penalties };

  const currentEpoch = state.currentEpoch;
  const previousEpoch = currentEpoch - 1;
  const { effectiveBalance, slashed, activationEpoch, exitEpoch, withdrawableEpoch } = state;
  const participation = state.previousEpochParticipation;
  const inLeak = previousEpoch - state.finalizedEpoch > MIN_EPOCHS_TO_INACTIVITY_PENALTY;

  // Pass 1: totals, each Gwei sum kept as whole increments plus a remainder (both exact in doubles).
  let activeInc = 0;
  let activeRem = 0;
  let sourceInc = 0;
  let sourceRem = 0;
  let targetInc = 0;
  let targetRem = 0;
  let headInc = 0;
  let headRem = 0;
  let maxIncrements = 0;
  for (let i = 0; i < n; i++) {
    const eb = effectiveBalance[i] as number;
    const inc = Math.floor(eb / INCREMENT);
    const rem = eb - inc * INCREMENT;
    if (inc > maxIncrements) maxIncrements = inc;
    const activation = activationEpoch[i] as number;
    const exit = exitEpoch[i] as number;
    if (activation <= currentEpoch && currentEpoch < exit) {
      activeInc += inc;
      activeRem += rem;
    }
    if (activation <= previousEpoch && previousEpoch < exit && slashed[i] === 0) {
      const flags = participation[i] as number;
      if (flags & 1) {
        sourceInc += inc;
        sourceRem += rem;
      }
      if (flags & 2) {
        targetInc += inc;
        targetRem += rem;
      }
      if (flags & 4) {
        headInc += inc;
        headRem += rem;
      }
    }
  }
  const gwei = (inc: number, rem: number): bigint => BigInt(inc) * BigInt(INCREMENT) + BigInt(rem);
  const atLeastIncrement = (x: bigint): bigint => (x > BigInt(INCREMENT) ? x : BigInt(INCREMENT));
  const totalActiveBalance = atLeastIncrement(gwei(activeInc, activeRem));
  const baseRewardPerIncrement = BigInt(getBaseRewardPerIncrement(totalActiveBalance));
  const activeIncrements = totalActiveBalance / BigInt(INCREMENT);
  const participatingIncrements = [
    atLeastIncrement(gwei(sourceInc, sourceRem)) / BigInt(INCREMENT),
    atLeastIncrement(gwei(targetInc, targetRem)) / BigInt(INCREMENT),
    atLeastIncrement(gwei(headInc, headRem)) / BigInt(INCREMENT),
  ];
  const rewardDenominator = activeIncrements * BigInt(WEIGHT_DENOMINATOR);

  // A validator's flag deltas depend only on (participation flags, increments): per flag, a reward or a penalty.
  // They are computed once per pair in exact integer arithmetic, as `flagDeltas[key * 6 + 2f]` (reward of flag
  // f) and `[... + 2f + 1]` (penalty), with their sums after them; -1 marks a pair not computed yet.
  const stride = maxIncrements + 1;
  const deltas = new Float64Array(8 * stride * 8).fill(-1);
  const fillDeltas = (flags: number, inc: number): number => {
    const at = (flags * stride + inc) * 8;
    const baseReward = BigInt(inc) * baseRewardPerIncrement;
    let rewardSum = 0;
    let penaltySum = 0;
    for (let f = 0; f < PARTICIPATION_FLAG_COUNT; f++) {
      const weight = BigInt(PARTICIPATION_FLAG_WEIGHTS[f] as number);
      let r = 0;
      let p = 0;
      if ((flags >> f) & 1) {
        if (!inLeak) r = Number((baseReward * weight * (participatingIncrements[f] as bigint)) / rewardDenominator);
      } else if (f !== TIMELY_HEAD_FLAG_INDEX) {
        p = Number((baseReward * weight) / BigInt(WEIGHT_DENOMINATOR));
      }
      deltas[at + 2 * f] = r;
      deltas[at + 2 * f + 1] = p;
      rewardSum += r;
      penaltySum += p;
    }
    deltas[at + 6] = rewardSum;
    deltas[at + 7] = penaltySum;
    return at;
  };

  // Pass 2: inactivity scores, then each eligible validator's deltas.
  for (let i = 0; i < n; i++) {
    const activation = activationEpoch[i] as number;
    const exit = exitEpoch[i] as number;
    const activePrevious = activation <= previousEpoch && previousEpoch < exit;
    const isSlashed = slashed[i] === 1;
    if (!activePrevious && !(isSlashed && previousEpoch + 1 < (withdrawableEpoch[i] as number))) continue;

    const flags = activePrevious && !isSlashed ? (participation[i] as number) & 7 : 0;
    const matchingTarget = (flags & TARGET_BIT) !== 0;
    let score = inactivityScores[i] as number;
    score = matchingTarget ? score - Math.min(1, score) : score + INACTIVITY_SCORE_BIAS;
    if (!inLeak) score -= Math.min(INACTIVITY_SCORE_RECOVERY_RATE, score);
    inactivityScores[i] = score;

    const eb = effectiveBalance[i] as number;
    const inc = Math.floor(eb / INCREMENT);
    let at = (flags * stride + inc) * 8;
    if ((deltas[at] as number) < 0) at = fillDeltas(flags, inc);
    const inactivity = matchingTarget ? 0 : inactivityPenalty(eb, score);
    const reward = deltas[at + 6] as number;
    const penalty = (deltas[at + 7] as number) + inactivity;
    const balance = balances[i] as number;
    if (balance >= penalty) {
      // No decrease can reach zero, so applying the deltas in order is the same as applying their sums.
      balances[i] = balance + reward - penalty;
    } else {
      // The spec's order, each decrease stopping at zero: flag by flag (reward, penalty), then inactivity.
      let b = balance;
      for (let f = 0; f < PARTICIPATION_FLAG_COUNT; f++) {
        b += deltas[at + 2 * f] as number;
        const p = deltas[at + 2 * f + 1] as number;
        b = p > b ? 0 : b - p;
      }
      balances[i] = inactivity > b ? 0 : b - inactivity;
    }
    rewards[i] = reward;
    penalties[i] = penalty;
  }
  return { balances, inactivityScores, rewards, penalties };
}
