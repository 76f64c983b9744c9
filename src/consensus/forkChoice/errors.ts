import { WeftError, type WeftErrorOptions } from "../../shared/errors.js";

/**
 * Why the fork choice refused an input. Blocks and attestations that the spec's `on_block` / `on_attestation`
 * would `assert` against are refused with one of these codes; callers branch on the code, never on the text.
 */
export type ForkChoiceErrorCode =
  /** `on_block`: the parent is not in the tree (unknown, or pruned below finality). */
  | "UNKNOWN_PARENT"
  /** `on_block`: the block's slot is after the current slot. */
  | "FUTURE_BLOCK"
  /** `on_block`: the block is not later than the finalized checkpoint's slot. */
  | "BLOCK_BEFORE_FINALIZED"
  /** `on_block`: the block does not descend from the finalized checkpoint. */
  | "NOT_FINALIZED_DESCENDANT"
  /** `on_block`: the block's slot is not after its parent's. */
  | "SLOT_NOT_AFTER_PARENT"
  /** `on_block`: a checkpoint the store would move to names a block the tree does not hold. */
  | "UNKNOWN_CHECKPOINT_ROOT"
  /** `on_attestation`: the target epoch is after the current epoch (or its slot is not yet in the past). */
  | "FUTURE_ATTESTATION"
  /** `on_attestation`: the target epoch is older than the previous epoch. */
  | "PAST_ATTESTATION"
  /** `on_attestation`: the target root is not a known block. */
  | "UNKNOWN_TARGET"
  /** `on_attestation`: the target root is not the checkpoint block of the voted block's chain. */
  | "INCONSISTENT_TARGET"
  /** `on_attestation`: the voted block is later than the attestation's slot (or target epoch). */
  | "BLOCK_AFTER_ATTESTATION"
  /** `on_attestation`: the attestation's slot is not in its target epoch. */
  | "SLOT_NOT_IN_TARGET_EPOCH"
  /** A validator index that is negative, fractional or beyond the supported range. */
  | "INVALID_VALIDATOR_INDEX"
  /** A balance that is negative, fractional or not a safe integer, or balances whose exact sum is too large. */
  | "INVALID_BALANCE"
  /** `on_tick`: time moved backwards. */
  | "TIME_WENT_BACKWARDS"
  /** The head cannot be computed: the justified root is not in the tree. */
  | "JUSTIFIED_NODE_UNKNOWN"
  /** A root that is not `0x` followed by an even number (2 to 64) of hex digits. */
  | "INVALID_ROOT"
  /** A scenario file that cannot be read or does not follow the `weft forkchoice` format. */
  | "SCENARIO_INVALID";

export interface ForkChoiceErrorOptions extends WeftErrorOptions {
  /** The block or vote root the error is about. */
  root?: string;
  /** The slot the error is about. */
  slot?: number;
  /** The epoch the error is about. */
  epoch?: number;
}

export class ForkChoiceError extends WeftError<ForkChoiceErrorCode> {
  override readonly name = "ForkChoiceError";
  readonly root: string | undefined;
  readonly slot: number | undefined;
  readonly epoch: number | undefined;

  constructor(code: ForkChoiceErrorCode, shortMessage: string, options: ForkChoiceErrorOptions = {}) {
    super(code, shortMessage, options);
    this.root = options.root;
    this.slot = options.slot;
    this.epoch = options.epoch;
  }
}
