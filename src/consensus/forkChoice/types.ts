/** A block root as lowercase `0x`-prefixed hex. Ties compare these strings, which orders them as bytes. */
export type RootHex = string;

/** The spec's `Checkpoint`. */
export interface Checkpoint {
  epoch: number;
  root: RootHex;
}

export interface ForkChoiceConfig {
  /** `SLOTS_PER_EPOCH` (mainnet 32). */
  slotsPerEpoch: number;
  /** `SECONDS_PER_SLOT` (mainnet 12). */
  secondsPerSlot: number;
  /** `PROPOSER_SCORE_BOOST`, percent of a committee's weight (mainnet 40). */
  proposerScoreBoost: number;
  /** How many attestations for unseen blocks may wait; the oldest is dropped beyond it. */
  pendingAttestationLimit: number;
  /** Prune below finality only once at least this many nodes would go (0: at every new finalized checkpoint). */
  pruneThreshold: number;
}

export const MAINNET_FORK_CHOICE_CONFIG: ForkChoiceConfig = {
  slotsPerEpoch: 32,
  secondsPerSlot: 12,
  proposerScoreBoost: 40,
  pendingAttestationLimit: 16_384,
  pruneThreshold: 0,
};

/** A block as the fork choice needs it: its post-state's checkpoints stand in for the state. */
export interface BlockInput {
  root: RootHex;
  parent: RootHex;
  slot: number;
  /** The post-state's `current_justified_checkpoint` (default: the parent's). */
  justified?: Checkpoint;
  /** The post-state's `finalized_checkpoint` (default: the parent's). */
  finalized?: Checkpoint;
  /** Justification after `process_justification_and_finalization` on the post-state (default: `justified`). */
  unrealizedJustified?: Checkpoint;
  /** Finalization after the same pull-up (default: `finalized`). */
  unrealizedFinalized?: Checkpoint;
}

/** The fork-choice content of an attestation: who voted, for which block, with which FFG target. */
export interface AttestationInput {
  /** Attesting validator indices. */
  validators: ArrayLike<number>;
  /** `beacon_block_root`: the LMD vote, lowercase hex like every stored root (not re-normalized on this hot path). */
  root: RootHex;
  /** `target.epoch`. */
  targetEpoch: number;
  /** `target.root`, checked against the voted block's chain when given. */
  targetRoot?: RootHex;
  /** `data.slot`, checked when given (must be in the target epoch, in the past, not before the voted block). */
  slot?: number;
  /** Included in a block: skips the current/previous epoch window, as `on_attestation(is_from_block=True)`. */
  fromBlock?: boolean;
}

/** What happened to an attestation: its votes applied, or waiting for its block. */
export type AttestationResult = "applied" | "queued";
