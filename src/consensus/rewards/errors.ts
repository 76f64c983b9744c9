import { WeftError, type WeftErrorOptions } from "../../shared/errors.js";

export type RewardsErrorCode =
  /** The state's per-validator columns do not all have the same length. */
  | "STATE_COLUMNS_MISMATCH"
  /** A pending attestation names a validator index outside the state or has bits past its committee. */
  | "ATTESTATION_OUT_OF_RANGE"
  /** An inclusion delay below `MIN_ATTESTATION_INCLUSION_DELAY`. */
  | "INCLUSION_DELAY_INVALID";

export interface RewardsErrorOptions extends WeftErrorOptions {
  /** The validator or attestation index the error is about. */
  index?: number;
}

export class RewardsError extends WeftError<RewardsErrorCode> {
  override readonly name = "RewardsError";
  readonly index: number | undefined;

  constructor(code: RewardsErrorCode, shortMessage: string, options: RewardsErrorOptions = {}) {
    super(code, shortMessage, options);
    this.index = options.index;
  }
}
