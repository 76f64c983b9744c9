import { WeftError, type WeftErrorOptions } from "../shared/errors.js";

export type ConsensusErrorCode =
  /** A shuffling seed is not 32 bytes. */
  | "INVALID_SEED"
  /** The shuffle round count is not an integer in 0..255. */
  | "INVALID_ROUNDS"
  /** An index is not below the list size it indexes. */
  | "INDEX_OUT_OF_RANGE"
  /** A list is larger than the whole-list shuffle can hold. */
  | "LIST_TOO_LARGE"
  /** A computation that needs at least one active validator found none. */
  | "NO_ACTIVE_VALIDATORS"
  /** A committee index is not below the committee count. */
  | "INVALID_COMMITTEE_INDEX"
  /** The state cannot answer for this epoch (its RANDAO mix or lookahead is gone or not yet determined). */
  | "EPOCH_OUT_OF_RANGE"
  /** The shuffling cache holds nothing for this epoch and has no state to compute it from. */
  | "EPOCH_NOT_CACHED"
  /** A shuffle worker failed or exited. */
  | "WORKER_FAILED"
  /** The shuffle pool was closed. */
  | "POOL_CLOSED";

export interface ConsensusErrorOptions extends WeftErrorOptions {
  /** The epoch the error is about. */
  epoch?: number;
}

export class ConsensusError extends WeftError<ConsensusErrorCode> {
  override readonly name = "ConsensusError";
  readonly epoch: number | undefined;

  constructor(code: ConsensusErrorCode, shortMessage: string, options: ConsensusErrorOptions = {}) {
    super(code, shortMessage, options);
    this.epoch = options.epoch;
  }
}
