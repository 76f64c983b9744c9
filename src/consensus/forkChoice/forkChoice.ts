/**
 * ForkChoice: the spec's fork-choice `Store` (phase0 `fork-choice.md`, with the pull-up tips and the viability
 * filter of current specs) over a proto-array, fed as a stream.
 *
 * Data flow: `onTick` moves time (clearing the proposer boost at each new slot, pulling up unrealized checkpoints
 * at each new epoch); `onBlock` appends a node, grants the boost to the first timely block of the slot, updates
 * the checkpoints as `update_checkpoints` / `compute_pulled_up_tip` do, and releases attestations that waited for
 * it; `onAttestation` validates like `validate_on_attestation`, writes latest messages into typed arrays
 * (`VoteTracker`) and moves each moved validator's balance into the proto-array's pending per-node deltas, or
 * parks the attestation in a bounded queue when its block is not known yet; `onAttesterSlashing` takes
 * validators' weight off for good. Nothing is recomputed until the head is asked for: `getHead` applies the
 * batched deltas in one backward pass of the proto-array, O(blocks) whatever the number of validators. New
 * justified balances re-weigh every vote in one `computeDeltas` pass over the validators.
 *
 * Weights are exact. Balances (gwei) are divided by a unit, the greatest common divisor of every balance and of
 * the proposer score, so that each node weight is an integer below 2^53 held in a `Float64Array`; for effective
 * balances (multiples of 1 ETH) the unit is at least 0.0125 ETH, leaving room for far more stake than exists.
 * Roots are lowercase hex; ties compare them as strings, which orders them as the spec orders bytes.
 */
import { computeDeltas } from "./computeDeltas.js";
import { ForkChoiceError } from "./errors.js";
import { forkChoiceMetrics, trackPendingAttestations } from "./metrics.js";
import { ProtoArray, type ProtoBlock, type Viability } from "./protoArray.js";
import { getTipProbabilities, type Tip, type TipModelParameters } from "./tipProbabilities.js";
import {
  type AttestationInput,
  type AttestationResult,
  type BlockInput,
  type Checkpoint,
  type ForkChoiceConfig,
  MAINNET_FORK_CHOICE_CONFIG,
  type RootHex,
} from "./types.js";
import { MAX_VALIDATORS, VoteTracker } from "./voteTracker.js";

export interface AnchorInput {
  root: RootHex;
  slot: number;
}

export interface CreateForkChoiceParameters {
  config?: Partial<ForkChoiceConfig>;
  anchor: AnchorInput;
  /** The justified state's effective balances in gwei, by validator index (0: inactive or slashed). */
  balances?: ArrayLike<number | bigint>;
}

/** The store's state that a caller may read after `getHead`. */
export interface ForkChoiceSnapshot {
  head: RootHex;
  justified: Checkpoint;
  finalized: Checkpoint;
  currentSlot: number;
  time: number;
}

interface PendingAttestation {
  attestation: AttestationInput;
  alive: boolean;
}

const ROOT_PATTERN = /^0x(?:[0-9a-f]{2}){1,32}$/;

/** Lowercases and checks a root: `0x` and 1 to 32 bytes of hex. */
export function normalizeRoot(root: unknown, what = "root"): RootHex {
  const r = typeof root === "string" ? root.toLowerCase() : "";
  if (!ROOT_PATTERN.test(r)) {
    throw new ForkChoiceError("INVALID_ROOT", `${what} is not a 0x-prefixed hex root of 1 to 32 bytes`, {
      details: JSON.stringify(root),
    });
  }
  return r;
}

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function gcdNumber(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class ForkChoice {
  readonly config: ForkChoiceConfig;
  private readonly proto = new ProtoArray();
  private readonly votes = new VoteTracker();
  private timeSec = 0;
  private slotNow = 0;
  private epochNow = 0;
  private justifiedCp: Checkpoint;
  private finalizedCp: Checkpoint;
  private unrealizedJustifiedCp: Checkpoint;
  private unrealizedFinalizedCp: Checkpoint;
  private justifiedId: number;
  private finalizedId: number;
  /** `proposer_boost_root` as a node id (0: none). */
  private boostId = 0;
  /** Justified balances in weight units, by validator index. */
  private balances: Float64Array = new Float64Array(0);
  private unit = 1n;
  private boostUnits = 0;
  private totalUnits = 0;
  private needsRebuild = false;
  private headId = 0;
  /** The last attestation root found in the tree, and its id (cleared when the tree is pruned). */
  private lastRoot: RootHex | undefined;
  private lastRootId = 0;
  private headStale = true;
  /** Weight (units) and targets of the latest messages accepted since the current slot began. */
  private slotVoteWeight = 0;
  private readonly slotVotesByNode = new Map<number, number>();
  private readonly pendingByRoot = new Map<RootHex, PendingAttestation[]>();
  private pendingOrder: PendingAttestation[] = [];
  private pendingHead = 0;
  private pendingSize = 0;

  constructor(params: CreateForkChoiceParameters) {
    this.config = { ...MAINNET_FORK_CHOICE_CONFIG, ...params.config };
    const { slotsPerEpoch, secondsPerSlot, proposerScoreBoost } = this.config;
    if (!(Number.isSafeInteger(slotsPerEpoch) && slotsPerEpoch > 0)) throw new RangeError("slotsPerEpoch must be ≥ 1");
    if (!(secondsPerSlot > 0 && Number.isFinite(secondsPerSlot))) throw new RangeError("secondsPerSlot must be > 0");
    if (!isNonNegativeInteger(proposerScoreBoost)) throw new RangeError("proposerScoreBoost must be an integer ≥ 0");
    const root = normalizeRoot(params.anchor.root, "anchor root");
    const slot = params.anchor.slot;
    if (!isNonNegativeInteger(slot)) throw new RangeError("anchor slot must be an integer ≥ 0");
    const anchorCp = { epoch: this.epochAt(slot), root };
    const anchorId = this.proto.onBlock(
      {
        root,
        parentRoot: undefined,
        slot,
        justified: anchorCp,
        finalized: anchorCp,
        unrealizedJustified: anchorCp,
        unrealizedFinalized: anchorCp,
        timely: false,
        arrivedAt: slot * secondsPerSlot,
      },
      0,
    );
    this.proto.setCheckpointSlot(anchorCp.epoch * slotsPerEpoch);
    this.setTime(slot * secondsPerSlot);
    this.justifiedCp = anchorCp;
    this.finalizedCp = anchorCp;
    this.unrealizedJustifiedCp = anchorCp;
    this.unrealizedFinalizedCp = anchorCp;
    this.justifiedId = anchorId;
    this.finalizedId = anchorId;
    this.setBalances(params.balances ?? []);
    trackPendingAttestations(this);
  }

  // ---------------------------------------------------------------- time

  get time(): number {
    return this.timeSec;
  }

  get currentSlot(): number {
    return this.slotNow;
  }

  get currentEpoch(): number {
    return this.epochNow;
  }

  /** Sets the store time and the slot and epoch derived from it (read on every attestation). */
  private setTime(time: number): void {
    this.timeSec = time;
    this.slotNow = Math.floor(time / this.config.secondsPerSlot);
    this.epochNow = this.epochAt(this.slotNow);
  }

  /** Seconds since the start of the current slot. */
  get secondsIntoSlot(): number {
    return this.timeSec - this.currentSlot * this.config.secondsPerSlot;
  }

  get justified(): Checkpoint {
    return this.justifiedCp;
  }

  get finalized(): Checkpoint {
    return this.finalizedCp;
  }

  get proposerBoostRoot(): RootHex | undefined {
    return this.proto.block(this.boostId)?.root;
  }

  /** Attestations waiting for their block. */
  get pendingAttestations(): number {
    return this.pendingSize;
  }

  /** `on_tick`: seconds since genesis. Crossing several slots runs each slot's tick in turn. */
  onTick(time: number): void {
    if (!(typeof time === "number" && Number.isFinite(time))) throw new RangeError("time must be a finite number");
    if (time < this.timeSec) {
      throw new ForkChoiceError(
        "TIME_WENT_BACKWARDS",
        `tick to ${time} s is before the store's time ${this.timeSec} s`,
      );
    }
    const tickSlot = Math.floor(time / this.config.secondsPerSlot);
    while (this.currentSlot < tickSlot) this.onTickPerSlot((this.currentSlot + 1) * this.config.secondsPerSlot);
    this.onTickPerSlot(time);
  }

  private onTickPerSlot(time: number): void {
    const previousSlot = this.currentSlot;
    this.setTime(time);
    const currentSlot = this.currentSlot;
    if (currentSlot > previousSlot) {
      this.boostId = 0;
      this.slotVoteWeight = 0;
      this.slotVotesByNode.clear();
      if (currentSlot % this.config.slotsPerEpoch === 0) {
        this.updateCheckpoints(this.unrealizedJustifiedCp, this.unrealizedFinalizedCp);
      }
    }
    this.headStale = true;
  }

  // ---------------------------------------------------------------- blocks

  /** `on_block`. Returns false for a block already known (nothing changes). */
  onBlock(input: BlockInput): boolean {
    const root = normalizeRoot(input.root, "block root");
    if (this.proto.idOf(root) !== undefined) return false;
    const parentRoot = normalizeRoot(input.parent, "parent root");
    const slot = input.slot;
    if (!isNonNegativeInteger(slot)) throw new RangeError("block slot must be an integer ≥ 0");
    const parentId = this.proto.idOf(parentRoot);
    const parent = parentId === undefined ? undefined : this.proto.block(parentId);
    if (parentId === undefined || parent === undefined) {
      throw new ForkChoiceError("UNKNOWN_PARENT", `parent ${parentRoot} of block ${root} is not known`, { root, slot });
    }
    if (slot > this.currentSlot) {
      throw new ForkChoiceError("FUTURE_BLOCK", `block ${root} at slot ${slot} is after the current slot`, {
        root,
        slot,
        details: `current slot ${this.currentSlot}`,
      });
    }
    if (slot <= parent.slot) {
      throw new ForkChoiceError("SLOT_NOT_AFTER_PARENT", `block ${root} at slot ${slot} is not after its parent`, {
        root,
        slot,
        details: `parent slot ${parent.slot}`,
      });
    }
    const finalizedSlot = this.finalizedCp.epoch * this.config.slotsPerEpoch;
    if (slot <= finalizedSlot) {
      throw new ForkChoiceError("BLOCK_BEFORE_FINALIZED", `block ${root} at slot ${slot} is not after finality`, {
        root,
        slot,
        details: `finalized epoch ${this.finalizedCp.epoch} starts at slot ${finalizedSlot}`,
      });
    }
    if (this.proto.ancestorAt(parentId, finalizedSlot) !== this.finalizedId) {
      throw new ForkChoiceError("NOT_FINALIZED_DESCENDANT", `block ${root} does not descend from the finalized block`, {
        root,
        slot,
      });
    }
    const justified = this.checkpoint(input.justified, parent.justified, "justified");
    const finalized = this.checkpoint(input.finalized, parent.finalized, "finalized");
    const unrealizedJustified = this.checkpoint(input.unrealizedJustified, justified, "unrealizedJustified");
    const unrealizedFinalized = this.checkpoint(input.unrealizedFinalized, finalized, "unrealizedFinalized");
    const blockEpoch = this.epochAt(slot);
    const pulledUp = blockEpoch < this.currentEpoch;
    // Every checkpoint the store may adopt, now or at an epoch boundary, must name a block of the tree (or this
    // block); checked before anything changes.
    const adoptable: Array<[Checkpoint, number]> = [
      [justified, this.justifiedCp.epoch],
      [finalized, this.finalizedCp.epoch],
      [unrealizedJustified, pulledUp ? this.justifiedCp.epoch : this.unrealizedJustifiedCp.epoch],
      [unrealizedFinalized, pulledUp ? this.finalizedCp.epoch : this.unrealizedFinalizedCp.epoch],
    ];
    for (const [cp, storeEpoch] of adoptable) {
      if (cp.epoch > storeEpoch && cp.root !== root && this.proto.idOf(cp.root) === undefined) {
        throw new ForkChoiceError("UNKNOWN_CHECKPOINT_ROOT", `block ${root} names checkpoint root ${cp.root}`, {
          root,
          slot,
          epoch: cp.epoch,
          details: "the checkpoint's block is not in the tree",
        });
      }
    }
    const timely = slot === this.currentSlot && this.secondsIntoSlot < this.config.secondsPerSlot / 3;
    const block: ProtoBlock = {
      root,
      parentRoot,
      slot,
      justified,
      finalized,
      unrealizedJustified,
      unrealizedFinalized,
      timely,
      arrivedAt: this.timeSec,
    };
    const id = this.proto.onBlock(block, parentId);
    if (timely && this.boostId === 0) this.boostId = id;
    // update_unrealized_checkpoints first (the fields are disjoint), so that pruning keeps their blocks.
    if (unrealizedJustified.epoch > this.unrealizedJustifiedCp.epoch) this.unrealizedJustifiedCp = unrealizedJustified;
    if (unrealizedFinalized.epoch > this.unrealizedFinalizedCp.epoch) this.unrealizedFinalizedCp = unrealizedFinalized;
    this.updateCheckpoints(justified, finalized);
    // compute_pulled_up_tip: a block from a prior epoch realizes its pulled-up checkpoints at once.
    if (pulledUp) this.updateCheckpoints(unrealizedJustified, unrealizedFinalized);
    this.headStale = true;
    this.releasePending(root);
    return true;
  }

  private checkpoint(cp: Checkpoint | undefined, fallback: Checkpoint, what: string): Checkpoint {
    if (cp === undefined) return fallback;
    if (!isNonNegativeInteger(cp.epoch)) throw new RangeError(`${what} epoch must be an integer ≥ 0`);
    return { epoch: cp.epoch, root: normalizeRoot(cp.root, `${what} root`) };
  }

  /** `update_checkpoints`; a new finalized checkpoint also prunes the tree below it. */
  private updateCheckpoints(justified: Checkpoint, finalized: Checkpoint): void {
    if (justified.epoch > this.justifiedCp.epoch) {
      const id = this.proto.idOf(justified.root);
      if (id !== undefined) {
        this.justifiedCp = justified;
        this.justifiedId = id;
        this.headStale = true;
      }
    }
    if (finalized.epoch > this.finalizedCp.epoch) {
      const id = this.proto.idOf(finalized.root);
      if (id !== undefined) {
        this.finalizedCp = finalized;
        this.finalizedId = id;
        this.proto.setCheckpointSlot(finalized.epoch * this.config.slotsPerEpoch);
        this.prune();
        this.headStale = true;
      }
    }
  }

  /**
   * Prunes below the finalized block, but never past a checkpoint the store holds or may still adopt: with
   * consistent checkpoints they all descend from the finalized block, and with inconsistent ones the spec still
   * starts the head search at the justified block.
   */
  private prune(): void {
    let keepFrom = this.finalizedId;
    for (const cp of [this.justifiedCp, this.unrealizedJustifiedCp, this.unrealizedFinalizedCp]) {
      const id = this.proto.idOf(cp.root);
      if (id !== undefined && id < keepFrom) keepFrom = id;
    }
    if (this.proto.prune(keepFrom, this.config.pruneThreshold) > 0) this.lastRoot = undefined;
  }

  // ---------------------------------------------------------------- attestations

  /**
   * `on_attestation`: checks the attestation as `validate_on_attestation` does (the fields it has), then updates
   * latest messages. An attestation for a block not seen yet waits (bounded, oldest dropped) and is applied when
   * the block arrives. Refusals throw a `ForkChoiceError`.
   */
  onAttestation(att: AttestationInput): AttestationResult {
    const { targetEpoch } = att;
    if (!isNonNegativeInteger(targetEpoch)) throw new RangeError("targetEpoch must be an integer ≥ 0");
    const currentEpoch = this.currentEpoch;
    if (!att.fromBlock) {
      if (targetEpoch > currentEpoch) {
        throw this.refuse("FUTURE_ATTESTATION", `target epoch ${targetEpoch} is after the current epoch`, att);
      }
      if (targetEpoch + 1 < currentEpoch) {
        throw this.refuse("PAST_ATTESTATION", `target epoch ${targetEpoch} is before the previous epoch`, att);
      }
    }
    if (att.slot !== undefined) {
      if (!isNonNegativeInteger(att.slot)) throw new RangeError("attestation slot must be an integer ≥ 0");
      if (this.epochAt(att.slot) !== targetEpoch) {
        throw this.refuse("SLOT_NOT_IN_TARGET_EPOCH", `slot ${att.slot} is not in target epoch ${targetEpoch}`, att);
      }
      if (this.currentSlot < att.slot + 1) {
        throw this.refuse("FUTURE_ATTESTATION", `attestation slot ${att.slot} is not yet in the past`, att);
      }
    }
    // Attestations stream in runs for one block, each with its own root string: a one-entry cache spares the
    // hashing of a 66-character key per attestation.
    let id = att.root === this.lastRoot ? this.lastRootId : this.proto.idOf(att.root);
    let blockSlot: number;
    if (id !== undefined) {
      this.lastRoot = att.root;
      this.lastRootId = id;
      blockSlot = (this.proto.block(id) as ProtoBlock).slot;
    } else {
      const pruned = this.proto.prunedIdOf(att.root);
      if (pruned === undefined) {
        this.enqueue(att);
        return "queued";
      }
      id = pruned.id;
      blockSlot = pruned.slot;
    }
    const lastSlot = att.slot ?? (targetEpoch + 1) * this.config.slotsPerEpoch - 1;
    if (blockSlot > lastSlot) {
      throw this.refuse("BLOCK_AFTER_ATTESTATION", `voted block at slot ${blockSlot} is after the attestation`, att);
    }
    if (att.targetRoot !== undefined) {
      const targetId = this.proto.idOf(att.targetRoot) ?? this.proto.prunedIdOf(att.targetRoot)?.id;
      if (targetId === undefined) throw this.refuse("UNKNOWN_TARGET", `target root ${att.targetRoot} is unknown`, att);
      if (this.proto.ancestorAt(id, targetEpoch * this.config.slotsPerEpoch) !== targetId) {
        throw this.refuse("INCONSISTENT_TARGET", "target is not the checkpoint block of the voted chain", att);
      }
    }
    this.applyVotes(att.validators, id, targetEpoch);
    return "applied";
  }

  /**
   * `update_latest_messages` for an already validated attestation: the streaming hot path. A validator whose
   * latest message moves (none yet, or a newer target epoch, and not equivocating) has its balance moved at once
   * from its old node to the new one in the proto-array's pending deltas, so a head update only walks the nodes.
   * Typed arrays only, nothing allocated; this slot's vote weight is tallied for the tip probabilities.
   */
  private applyVotes(validators: ArrayLike<number>, id: number, targetEpoch: number): void {
    const votes = this.votes;
    const n = validators.length;
    for (let i = 0; i < n; i++) {
      const v = validators[i] as number;
      if (!(v >>> 0 === v && v < MAX_VALIDATORS)) {
        throw new ForkChoiceError("INVALID_VALIDATOR_INDEX", `validator index ${v} is out of range`, {
          details: `indices are integers from 0 to ${MAX_VALIDATORS - 1}`,
        });
      }
      if (v >= votes.size) votes.ensure(v);
    }
    if (votes.capacity > this.balances.length) this.growBalances(votes.capacity);
    const { current, next, epoch, equivocating } = votes;
    const balances = this.balances;
    const deltas = this.proto.deltas;
    const base = this.proto.base;
    const nodeCount = this.proto.length;
    const epochPlusOne = targetEpoch + 1;
    let added = 0;
    let moved = false;
    for (let i = 0; i < n; i++) {
      const v = validators[i] as number;
      if (equivocating[v] === 1) continue;
      const e = epoch[v] as number;
      if (e !== 0 && epochPlusOne <= e) continue;
      epoch[v] = epochPlusOne;
      next[v] = id;
      const balance = balances[v] as number;
      // `>>> 0` folds "no vote" and pruned ids into one unsigned range check, as in computeDeltas.
      const ci = ((current[v] as number) - base) >>> 0;
      if (ci < nodeCount) deltas[ci] = (deltas[ci] as number) - balance;
      current[v] = id;
      added += balance;
      moved = true;
    }
    if (!moved) return;
    const ni = (id - base) >>> 0;
    if (ni < nodeCount) deltas[ni] = (deltas[ni] as number) + added;
    this.headStale = true;
    this.slotVoteWeight += added;
    this.slotVotesByNode.set(id, (this.slotVotesByNode.get(id) ?? 0) + added);
  }

  private refuse(
    code:
      | "FUTURE_ATTESTATION"
      | "PAST_ATTESTATION"
      | "UNKNOWN_TARGET"
      | "INCONSISTENT_TARGET"
      | "BLOCK_AFTER_ATTESTATION"
      | "SLOT_NOT_IN_TARGET_EPOCH",
    message: string,
    att: AttestationInput,
  ): ForkChoiceError {
    forkChoiceMetrics.attestationsRejected.inc({ code });
    return new ForkChoiceError(code, message, {
      root: att.root,
      epoch: att.targetEpoch,
      details: `current slot ${this.currentSlot}, epoch ${this.currentEpoch}`,
    });
  }

  private enqueue(att: AttestationInput): void {
    const limit = this.config.pendingAttestationLimit;
    if (limit <= 0) {
      forkChoiceMetrics.pendingDropped.inc();
      return;
    }
    while (this.pendingSize >= limit) this.dropOldestPending();
    const entry: PendingAttestation = {
      attestation: { ...att, validators: Uint32Array.from(att.validators) },
      alive: true,
    };
    const list = this.pendingByRoot.get(att.root);
    if (list === undefined) this.pendingByRoot.set(att.root, [entry]);
    else list.push(entry);
    this.pendingOrder.push(entry);
    this.pendingSize++;
  }

  private dropOldestPending(): void {
    while (this.pendingHead < this.pendingOrder.length) {
      const entry = this.pendingOrder[this.pendingHead++] as PendingAttestation;
      if (!entry.alive) continue;
      entry.alive = false;
      this.pendingSize--;
      const list = this.pendingByRoot.get(entry.attestation.root);
      if (list !== undefined) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.pendingByRoot.delete(entry.attestation.root);
      }
      forkChoiceMetrics.pendingDropped.inc();
      break;
    }
    this.compactPending();
  }

  private compactPending(): void {
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingOrder.length) {
      this.pendingOrder = this.pendingOrder.slice(this.pendingHead).filter((e) => e.alive);
      this.pendingHead = 0;
    }
  }

  /** Applies the attestations that waited for `root`; one that is now refused is counted and skipped. */
  private releasePending(root: RootHex): void {
    const list = this.pendingByRoot.get(root);
    if (list === undefined) return;
    this.pendingByRoot.delete(root);
    for (const entry of list) {
      entry.alive = false;
      this.pendingSize--;
    }
    if (this.pendingSize === 0) {
      this.pendingOrder = [];
      this.pendingHead = 0;
    }
    for (const entry of list) {
      try {
        this.onAttestation(entry.attestation);
      } catch (err) {
        if (!(err instanceof ForkChoiceError)) throw err;
      }
    }
  }

  /** `on_attester_slashing`: the validators' votes stop counting at once, for good. */
  onAttesterSlashing(validators: ArrayLike<number>): void {
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i] as number;
      if (!(v >>> 0 === v && v < MAX_VALIDATORS)) {
        throw new ForkChoiceError("INVALID_VALIDATOR_INDEX", `validator index ${v} is out of range`);
      }
    }
    const votes = this.votes;
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i] as number;
      votes.ensure(v);
      if (votes.capacity > this.balances.length) this.growBalances(votes.capacity);
      if (votes.equivocating[v] === 1) continue;
      votes.equivocating[v] = 1;
      const ci = (votes.current[v] as number) - this.proto.base;
      if (ci >= 0 && ci < this.proto.length) {
        this.proto.deltas[ci] = (this.proto.deltas[ci] as number) - (this.balances[v] as number);
      }
      votes.current[v] = 0;
      votes.next[v] = 0;
    }
    this.headStale = true;
  }

  // ---------------------------------------------------------------- balances

  /**
   * The justified checkpoint state's effective balances in gwei, by validator index (0 for validators that are not
   * active or are slashed). Every node weight is recomputed at the next head update.
   */
  setBalances(balances: ArrayLike<number | bigint>): void {
    const n = balances.length;
    // Every balance as a safe integer (checked), and their greatest common divisor: plain numbers are exact here.
    const gwei = new Float64Array(n);
    let g = 0;
    for (let i = 0; i < n; i++) {
      const b = balances[i];
      const x = typeof b === "bigint" && b >= 0n && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
        throw new ForkChoiceError("INVALID_BALANCE", `balance ${i} is not a whole number of gwei below 2^53`, {
          details: String(b),
        });
      }
      gwei[i] = x;
      if (x !== 0 && x % g !== 0) g = gcdNumber(g, x);
    }
    if (g === 0) g = 1;
    // The sum in units of g is exact while it stays below 2^53 (checked); in gwei it may exceed that: bigint.
    let sumInG = 0;
    for (let i = 0; i < n; i++) sumInG += (gwei[i] as number) / g;
    if (sumInG > Number.MAX_SAFE_INTEGER) {
      throw new ForkChoiceError("INVALID_BALANCE", "the balances' sum is too large to weigh exactly", {
        details: `the sum in units of ${g} gwei exceeds 2^53`,
      });
    }
    const totalGwei = BigInt(sumInG) * BigInt(g);
    const { slotsPerEpoch, proposerScoreBoost } = this.config;
    // get_proposer_score, with the committee weight floor(sum / SLOTS_PER_EPOCH) as the interface specifies.
    const boostGwei = ((totalGwei / BigInt(slotsPerEpoch)) * BigInt(proposerScoreBoost)) / 100n;
    const unit = Number(boostGwei === 0n ? BigInt(g) : gcd(BigInt(g), boostGwei));
    const totalUnits = totalGwei / BigInt(unit);
    if (totalUnits > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ForkChoiceError("INVALID_BALANCE", "the balances' sum is too large to weigh exactly", {
        details: `sum ${totalGwei} gwei in units of ${unit} gwei exceeds 2^53`,
      });
    }
    const capacity = Math.max(n, this.votes.capacity);
    const units = new Float64Array(capacity);
    for (let i = 0; i < n; i++) units[i] = (gwei[i] as number) / unit;
    if (n > this.votes.size) this.votes.ensure(n - 1);
    this.balances = units.length >= this.votes.capacity ? units : this.resized(units, this.votes.capacity);
    this.unit = BigInt(unit);
    this.boostUnits = Number(boostGwei / BigInt(unit));
    this.totalUnits = Number(totalUnits);
    this.needsRebuild = true;
    this.headStale = true;
  }

  private resized(a: Float64Array, capacity: number): Float64Array {
    const b = new Float64Array(capacity);
    b.set(a.subarray(0, Math.min(a.length, capacity)));
    return b;
  }

  private growBalances(capacity: number): void {
    this.balances = this.resized(this.balances, capacity);
  }

  // ---------------------------------------------------------------- head

  /**
   * `get_head`: applies the deltas that votes left since the last update (after new balances, recomputes them all
   * with `computeDeltas`) and the proposer boost in one backward pass, and follows the justified node's best
   * descendant.
   */
  getHead(): RootHex {
    this.updateHead();
    return (this.proto.block(this.headId) as ProtoBlock).root;
  }

  /** Brings weights and the head up to date; cheap when nothing changed. */
  updateHead(): void {
    if (!this.headStale) return;
    const end = forkChoiceMetrics.updateHeadSeconds.startTimer();
    const proto = this.proto;
    const votes = this.votes;
    if (votes.capacity > this.balances.length) this.growBalances(votes.capacity);
    if (this.needsRebuild) {
      // New balances (and maybe a new unit): recompute every weight from the latest messages.
      proto.resetWeights();
      votes.current.fill(0, 0, votes.size);
      computeDeltas(
        {
          deltas: proto.deltas,
          nodeCount: proto.length,
          base: proto.base,
          current: votes.current,
          next: votes.next,
          oldBalances: this.balances,
          newBalances: this.balances,
        },
        votes.size,
      );
      this.needsRebuild = false;
    }
    proto.applyScoreChanges({ id: this.boostId, amount: this.boostUnits }, this.viability());
    const head = proto.findHead(this.justifiedId);
    if (head === 0) {
      throw new ForkChoiceError("JUSTIFIED_NODE_UNKNOWN", `justified root ${this.justifiedCp.root} is not in the tree`);
    }
    this.headId = head;
    this.headStale = false;
    end();
  }

  private viability(): Viability {
    return {
      slotsPerEpoch: this.config.slotsPerEpoch,
      currentEpoch: this.currentEpoch,
      justifiedEpoch: this.justifiedCp.epoch,
      finalizedEpoch: this.finalizedCp.epoch,
      finalizedId: this.finalizedId,
    };
  }

  /** The head with the store's checkpoints and time. */
  snapshot(): ForkChoiceSnapshot {
    return {
      head: this.getHead(),
      justified: this.justifiedCp,
      finalized: this.finalizedCp,
      currentSlot: this.currentSlot,
      time: this.timeSec,
    };
  }

  /** `get_weight` in gwei (attestations plus proposer boost), or undefined for an unknown root. */
  getWeight(root: RootHex): bigint | undefined {
    const id = this.proto.idOf(root);
    if (id === undefined) return undefined;
    this.updateHead();
    return BigInt(this.proto.weight[this.proto.positionOf(id)] as number) * this.unit;
  }

  hasBlock(root: RootHex): boolean {
    return this.proto.idOf(root) !== undefined;
  }

  getBlock(root: RootHex): Readonly<ProtoBlock> | undefined {
    const id = this.proto.idOf(root);
    return id === undefined ? undefined : this.proto.block(id);
  }

  /** Number of blocks in the tree (after pruning). */
  get nodeCount(): number {
    return this.proto.length;
  }

  private epochAt(slot: number): number {
    return Math.floor(slot / this.config.slotsPerEpoch);
  }

  /**
   * Every viable tip with its weight and the probability that it becomes the parent of the next slot's block
   * (model: `tipProbabilities.ts`), most likely first.
   */
  getTips(parameters: Partial<TipModelParameters> = {}): Tip[] {
    return getTipProbabilities(this.tipModelView(), parameters);
  }

  /** Internal state for `tipProbabilities.ts`, after bringing the head up to date. */
  tipModelView(): TipModelView {
    this.updateHead();
    return {
      proto: this.proto,
      justifiedId: this.justifiedId,
      headId: this.headId,
      boostId: this.boostId,
      boostUnits: this.boostUnits,
      unitGwei: this.unit,
      committeeUnits: this.totalUnits / this.config.slotsPerEpoch,
      slotVoteWeight: this.slotVoteWeight,
      slotVotesByNode: this.slotVotesByNode,
      currentSlot: this.currentSlot,
      secondsIntoSlot: this.secondsIntoSlot,
      config: this.config,
      finalizedEpoch: this.finalizedCp.epoch,
    };
  }
}

/** What the tip model reads from the store (weights in units, ids as in the proto-array). */
export interface TipModelView {
  proto: ProtoArray;
  justifiedId: number;
  headId: number;
  boostId: number;
  boostUnits: number;
  unitGwei: bigint;
  committeeUnits: number;
  slotVoteWeight: number;
  slotVotesByNode: ReadonlyMap<number, number>;
  currentSlot: number;
  secondsIntoSlot: number;
  config: ForkChoiceConfig;
  finalizedEpoch: number;
}
