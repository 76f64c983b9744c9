/**
 * ProtoArray: the block tree of LMD-GHOST as flat arrays, so that a head update is one backward pass.
 *
 * Blocks are appended in arrival order; a parent always arrives before its children, so every child sits at a
 * higher position than its parent. A head update walks the positions from last to first, once:
 *   1. the node's weight takes its pending delta (votes moved by `computeDeltas`, proposer boost moved on or off),
 *      and passes the same delta to its parent, whose position comes later in the walk;
 *   2. the node is final, so it offers itself to its parent as best child: a leaf only if it is viable
 *      (`filter_block_tree`: correct justified voting source and finalized ancestor), an inner node only if one
 *      of its children offered itself (a branch is viable iff it holds a viable leaf, exactly as the spec filters);
 *      the parent keeps the offer with the largest (weight, root), which is the spec's `get_head` key.
 * `findHead` then reads the justified node's best descendant. Weights equal the spec's `get_weight` for every node.
 *
 * Nodes are named by ids (insertion numbers) rather than positions: pruning below finality drops a prefix of the
 * arrays and raises `base`, and no stored reference (parent, vote, best child) needs rewriting; an id below `base`
 * simply names a pruned node. Id 0 means none.
 */
import type { Checkpoint, RootHex } from "./types.js";

/** What the store keeps about each block besides its hot numeric fields. */
export interface ProtoBlock {
  root: RootHex;
  parentRoot: RootHex | undefined;
  slot: number;
  justified: Checkpoint;
  finalized: Checkpoint;
  unrealizedJustified: Checkpoint;
  unrealizedFinalized: Checkpoint;
  /** The spec's `block_timeliness`: arrived in its own slot before the attestation deadline. */
  timely: boolean;
  /** Store time (seconds since genesis) when the block was added. */
  arrivedAt: number;
}

/** The store's view that decides which leaves are viable heads (`filter_block_tree`). */
export interface Viability {
  slotsPerEpoch: number;
  currentEpoch: number;
  justifiedEpoch: number;
  finalizedEpoch: number;
  /** Id of the finalized checkpoint's block. */
  finalizedId: number;
}

export interface ProposerBoost {
  /** Id of the boosted block (0: none). */
  id: number;
  /** The boost in weight units. */
  amount: number;
}

const INITIAL_CAPACITY = 64;

/** A pruned node, remembered so that late votes for it still take their validator's weight off the tree. */
interface PrunedNode {
  id: number;
  slot: number;
  parentId: number;
}

export class ProtoArray {
  /** Id of the node at position 0. */
  base = 1;
  length = 0;
  private capacity = 0;
  readonly indices = new Map<RootHex, number>();
  blocks: ProtoBlock[] = [];
  parent = new Uint32Array(0);
  slot = new Float64Array(0);
  weight = new Float64Array(0);
  bestChild = new Uint32Array(0);
  bestDescendant = new Uint32Array(0);
  childCount = new Uint32Array(0);
  justifiedEpoch = new Float64Array(0);
  unrealizedJustifiedEpoch = new Float64Array(0);
  /** Id of the node's ancestor-or-self at the finalized epoch's start slot (`get_checkpoint_block`), 0 if pruned. */
  checkpointBlock = new Uint32Array(0);
  /** 1 where the node's branch holds a viable leaf, as of the last `applyScoreChanges`. */
  leadsToViable = new Uint8Array(0);
  /** Pending weight changes per position, consumed by `applyScoreChanges`. */
  deltas = new Float64Array(0);
  private previousBoost: ProposerBoost = { id: 0, amount: 0 };
  /** The most recently pruned nodes, by root and by id (oldest forgotten first beyond `prunedMemory`). */
  private readonly prunedByRoot = new Map<RootHex, PrunedNode>();
  private readonly prunedById = new Map<number, PrunedNode>();
  /** Start slot of the finalized epoch that `checkpointBlock` refers to. */
  private checkpointSlot = 0;

  /** @param prunedMemory how many pruned nodes to remember (see `prunedIdOf`). */
  constructor(private readonly prunedMemory = 65_536) {
    this.grow(INITIAL_CAPACITY);
  }

  /** The id of a known root, or undefined. */
  idOf(root: RootHex): number | undefined {
    return this.indices.get(root);
  }

  /**
   * The id and slot of a recently pruned root. The spec never forgets a block, so a vote for a pruned block (one
   * that is not a descendant of the finalized block) is valid: it moves the validator's weight off every viable
   * branch. Its id lies below `base`, where `computeDeltas` adds it to nothing.
   */
  prunedIdOf(root: RootHex): { id: number; slot: number } | undefined {
    return this.prunedByRoot.get(root);
  }

  /** The slot of a node, live or remembered after pruning. */
  slotOf(id: number): number | undefined {
    const p = this.positionOf(id);
    return p >= 0 ? (this.slot[p] as number) : this.prunedById.get(id)?.slot;
  }

  /** The position of an id, or -1 when the id is 0 or pruned. */
  positionOf(id: number): number {
    const p = id - this.base;
    return p >= 0 && p < this.length ? p : -1;
  }

  block(id: number): ProtoBlock | undefined {
    const p = this.positionOf(id);
    return p < 0 ? undefined : this.blocks[p];
  }

  /** Appends a block whose parent (if any) is already known; returns its id. */
  onBlock(block: ProtoBlock, parentId: number): number {
    if (this.length === this.capacity) this.grow(this.capacity * 2);
    const p = this.length;
    const id = this.base + p;
    this.length++;
    this.blocks.push(block);
    this.indices.set(block.root, id);
    this.parent[p] = parentId;
    this.slot[p] = block.slot;
    this.weight[p] = 0;
    this.bestChild[p] = 0;
    this.bestDescendant[p] = 0;
    this.childCount[p] = 0;
    this.justifiedEpoch[p] = block.justified.epoch;
    this.unrealizedJustifiedEpoch[p] = block.unrealizedJustified.epoch;
    this.leadsToViable[p] = 0;
    this.deltas[p] = 0;
    const pp = this.positionOf(parentId);
    if (pp >= 0) this.childCount[pp] = (this.childCount[pp] as number) + 1;
    this.checkpointBlock[p] =
      block.slot <= this.checkpointSlot ? id : pp >= 0 ? (this.checkpointBlock[pp] as number) : 0;
    return id;
  }

  /** Recomputes every node's checkpoint block for a new finalized epoch start slot (parents before children). */
  setCheckpointSlot(checkpointSlot: number): void {
    if (checkpointSlot === this.checkpointSlot) return;
    this.checkpointSlot = checkpointSlot;
    for (let p = 0; p < this.length; p++) {
      const id = this.base + p;
      if ((this.slot[p] as number) <= checkpointSlot || this.parent[p] === 0) {
        this.checkpointBlock[p] = id;
      } else {
        const pp = this.positionOf(this.parent[p] as number);
        this.checkpointBlock[p] = pp >= 0 ? (this.checkpointBlock[pp] as number) : 0;
      }
    }
  }

  /**
   * The ancestor-or-self of `id` at `slot` (`get_ancestor`), or 0 when the chain leaves what is remembered. The
   * anchor is its own ancestor at earlier slots.
   */
  ancestorAt(id: number, slot: number): number {
    let current = id;
    for (;;) {
      const p = this.positionOf(current);
      if (p >= 0) {
        // The anchor (no parent) stands for all history before it, as the spec's anchor state does.
        if ((this.slot[p] as number) <= slot || this.parent[p] === 0) return current;
        current = this.parent[p] as number;
        continue;
      }
      const pruned = this.prunedById.get(current);
      if (pruned === undefined) return 0;
      if (pruned.slot <= slot) return current;
      current = pruned.parentId;
    }
  }

  /** Zeroes every weight and pending delta and forgets the applied boost (before weights are rebuilt). */
  resetWeights(): void {
    this.weight.fill(0, 0, this.length);
    this.deltas.fill(0, 0, this.length);
    this.previousBoost = { id: 0, amount: 0 };
  }

  /**
   * Applies the pending `deltas` and the proposer boost, and recomputes best children and descendants, in one
   * backward pass (see the module comment). `boost.amount` is in the same unit as the deltas.
   */
  applyScoreChanges(boost: ProposerBoost, viability: Viability): void {
    const n = this.length;
    const base = this.base;
    const { deltas, weight, parent, bestChild, bestDescendant, childCount, leadsToViable } = this;
    const prevPos = this.positionOf(this.previousBoost.id);
    const boostPos = this.positionOf(boost.id);
    if (prevPos >= 0) deltas[prevPos] = (deltas[prevPos] as number) - this.previousBoost.amount;
    if (boostPos >= 0) deltas[boostPos] = (deltas[boostPos] as number) + boost.amount;
    this.previousBoost = { id: boost.id, amount: boost.amount };
    bestChild.fill(0, 0, n);
    bestDescendant.fill(0, 0, n);
    for (let i = n - 1; i >= 0; i--) {
      const d = deltas[i] as number;
      deltas[i] = 0;
      const w = (weight[i] as number) + d;
      weight[i] = w;
      const pp = ((parent[i] as number) - base) >>> 0;
      const hasParent = pp < n;
      if (hasParent && d !== 0) deltas[pp] = (deltas[pp] as number) + d;
      const leads = childCount[i] === 0 ? this.isViableLeaf(i, viability) : bestChild[i] !== 0;
      leadsToViable[i] = leads ? 1 : 0;
      if (!leads || !hasParent) continue;
      const rival = bestChild[pp] as number;
      if (rival !== 0) {
        const rp = rival - base;
        const rw = weight[rp] as number;
        if (w < rw || (w === rw && (this.blocks[i] as ProtoBlock).root < (this.blocks[rp] as ProtoBlock).root))
          continue;
      }
      const id = base + i;
      bestChild[pp] = id;
      const bd = bestDescendant[i] as number;
      bestDescendant[pp] = bd !== 0 ? bd : id;
    }
  }

  /**
   * `filter_block_tree` for a leaf: its voting source (the unrealized justification once its epoch is past) is the
   * store's justified epoch or at most two epochs old, and its chain holds the finalized checkpoint block.
   */
  isViableLeaf(p: number, v: Viability): boolean {
    const blockEpoch = Math.floor((this.slot[p] as number) / v.slotsPerEpoch);
    const votingSource =
      blockEpoch < v.currentEpoch ? (this.unrealizedJustifiedEpoch[p] as number) : (this.justifiedEpoch[p] as number);
    const correctJustified =
      v.justifiedEpoch === 0 || votingSource === v.justifiedEpoch || votingSource + 2 >= v.currentEpoch;
    const correctFinalized = v.finalizedEpoch === 0 || this.checkpointBlock[p] === v.finalizedId;
    return correctJustified && correctFinalized;
  }

  /** The head below the justified node: its best descendant, or itself when no viable leaf lies below it. */
  findHead(justifiedId: number): number {
    const p = this.positionOf(justifiedId);
    if (p < 0) return 0;
    const bd = this.bestDescendant[p] as number;
    return bd !== 0 ? bd : justifiedId;
  }

  /** True when `ancestorId` is `id` or one of its ancestors. */
  isAncestorOrSelf(ancestorId: number, id: number): boolean {
    const a = this.positionOf(ancestorId);
    if (a < 0) return false;
    const targetSlot = this.slot[a] as number;
    return this.ancestorAt(id, targetSlot) === ancestorId;
  }

  /**
   * Drops every node placed before the finalized node, when at least `threshold` would go; none of them descends
   * from the finalized block (descendants arrive after it), so no viable head or counted vote is lost. Returns how
   * many were dropped.
   */
  prune(finalizedId: number, threshold: number): number {
    const f = this.positionOf(finalizedId);
    if (f <= 0 || f < threshold) return 0;
    for (let p = 0; p < f; p++) {
      const root = (this.blocks[p] as ProtoBlock).root;
      this.indices.delete(root);
      const node: PrunedNode = { id: this.base + p, slot: this.slot[p] as number, parentId: this.parent[p] as number };
      this.prunedByRoot.set(root, node);
      this.prunedById.set(node.id, node);
    }
    // Forget the oldest pruned nodes beyond the memory (maps iterate in insertion order).
    for (const [root, node] of this.prunedByRoot) {
      if (this.prunedByRoot.size <= this.prunedMemory) break;
      this.prunedByRoot.delete(root);
      this.prunedById.delete(node.id);
    }
    for (const a of [
      this.parent,
      this.slot,
      this.weight,
      this.bestChild,
      this.bestDescendant,
      this.childCount,
      this.justifiedEpoch,
      this.unrealizedJustifiedEpoch,
      this.checkpointBlock,
      this.leadsToViable,
      this.deltas,
    ]) {
      a.copyWithin(0, f, this.length);
    }
    this.blocks.splice(0, f);
    this.length -= f;
    this.base += f;
    return f;
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.length) as never);
      return b;
    };
    this.parent = copy(this.parent, (n) => new Uint32Array(n));
    this.slot = copy(this.slot, (n) => new Float64Array(n));
    this.weight = copy(this.weight, (n) => new Float64Array(n));
    this.bestChild = copy(this.bestChild, (n) => new Uint32Array(n));
    this.bestDescendant = copy(this.bestDescendant, (n) => new Uint32Array(n));
    this.childCount = copy(this.childCount, (n) => new Uint32Array(n));
    this.justifiedEpoch = copy(this.justifiedEpoch, (n) => new Float64Array(n));
    this.unrealizedJustifiedEpoch = copy(this.unrealizedJustifiedEpoch, (n) => new Float64Array(n));
    this.checkpointBlock = copy(this.checkpointBlock, (n) => new Uint32Array(n));
    this.leadsToViable = copy(this.leadsToViable, (n) => new Uint8Array(n));
    this.deltas = copy(this.deltas, (n) => new Float64Array(n));
    this.capacity = capacity;
  }
}
