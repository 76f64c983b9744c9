/**
 * A direct transcription of the consensus spec's fork choice (phase0 `fork-choice.md` as of the pull-up tips:
 * `get_head`, `get_weight`, `filter_block_tree`, `get_voting_source`, `on_tick`, `on_block`, `on_attestation`,
 * `on_attester_slashing`), with the inputs a scenario has in place of states. Recursive, quadratic, and exact
 * (bigint gwei): the reference that the proto-array must agree with, step by step. Test code only.
 *
 * Adaptations, identical in `ForkChoice`: the block's post-state is its checkpoints; `is_before_attesting_interval`
 * is `time_into_slot < SECONDS_PER_SLOT / 3` on real-valued time; the proposer score's committee weight is
 * `sum(balances) // SLOTS_PER_EPOCH`; attestation checks use the fields an attestation has (slot and target root
 * are optional); an attestation whose block is unknown waits and is retried when the block arrives; a block
 * already known is ignored.
 */

export interface RefCheckpoint {
  epoch: number;
  root: string;
}

export interface RefBlock {
  root: string;
  parent: string;
  slot: number;
  justified?: RefCheckpoint;
  finalized?: RefCheckpoint;
  unrealizedJustified?: RefCheckpoint;
  unrealizedFinalized?: RefCheckpoint;
}

export interface RefAttestation {
  validators: readonly number[];
  root: string;
  targetEpoch: number;
  targetRoot?: string;
  slot?: number;
  fromBlock?: boolean;
}

interface StoredBlock {
  root: string;
  parent: string | undefined;
  slot: number;
  justified: RefCheckpoint;
  finalized: RefCheckpoint;
}

export class RefusedError extends Error {}

function assert(condition: boolean, what: string): asserts condition {
  if (!condition) throw new RefusedError(what);
}

export class SpecStore {
  time: number;
  justified: RefCheckpoint;
  finalized: RefCheckpoint;
  unrealizedJustified: RefCheckpoint;
  unrealizedFinalized: RefCheckpoint;
  proposerBoostRoot: string | undefined;
  readonly equivocating = new Set<number>();
  readonly blocks = new Map<string, StoredBlock>();
  readonly latestMessages = new Map<number, { epoch: number; root: string }>();
  readonly unrealizedJustifications = new Map<string, RefCheckpoint>();
  balances: bigint[];
  private readonly waiting = new Map<string, RefAttestation[]>();

  constructor(
    readonly config: { slotsPerEpoch: number; secondsPerSlot: number; proposerScoreBoost: number },
    anchor: { root: string; slot: number },
    balances: readonly bigint[],
  ) {
    const cp = { epoch: Math.floor(anchor.slot / config.slotsPerEpoch), root: anchor.root };
    this.time = anchor.slot * config.secondsPerSlot;
    this.justified = cp;
    this.finalized = cp;
    this.unrealizedJustified = cp;
    this.unrealizedFinalized = cp;
    this.blocks.set(anchor.root, {
      root: anchor.root,
      parent: undefined,
      slot: anchor.slot,
      justified: cp,
      finalized: cp,
    });
    this.unrealizedJustifications.set(anchor.root, cp);
    this.balances = [...balances];
  }

  private epochAt(slot: number): number {
    return Math.floor(slot / this.config.slotsPerEpoch);
  }

  currentSlot(): number {
    return Math.floor(this.time / this.config.secondsPerSlot);
  }

  currentEpoch(): number {
    return this.epochAt(this.currentSlot());
  }

  getAncestor(root: string, slot: number): string {
    const block = this.blocks.get(root) as StoredBlock;
    if (block.slot > slot && block.parent !== undefined) return this.getAncestor(block.parent, slot);
    return root;
  }

  getProposerScore(): bigint {
    const total = this.balances.reduce((a, b) => a + b, 0n);
    const committeeWeight = total / BigInt(this.config.slotsPerEpoch);
    return (committeeWeight * BigInt(this.config.proposerScoreBoost)) / 100n;
  }

  getWeight(root: string): bigint {
    const block = this.blocks.get(root) as StoredBlock;
    let attestationScore = 0n;
    this.balances.forEach((balance, i) => {
      if (balance === 0n) return;
      const message = this.latestMessages.get(i);
      if (message === undefined || this.equivocating.has(i)) return;
      if (this.getAncestor(message.root, block.slot) === root) attestationScore += balance;
    });
    if (this.proposerBoostRoot === undefined) return attestationScore;
    let proposerScore = 0n;
    if (this.getAncestor(this.proposerBoostRoot, block.slot) === root) proposerScore = this.getProposerScore();
    return attestationScore + proposerScore;
  }

  getVotingSource(root: string): RefCheckpoint {
    const block = this.blocks.get(root) as StoredBlock;
    if (this.currentEpoch() > this.epochAt(block.slot)) {
      return this.unrealizedJustifications.get(root) as RefCheckpoint;
    }
    return block.justified;
  }

  private children(root: string): string[] {
    return [...this.blocks.values()].filter((b) => b.parent === root).map((b) => b.root);
  }

  filterBlockTree(root: string, out: Map<string, StoredBlock>): boolean {
    const block = this.blocks.get(root) as StoredBlock;
    const children = this.children(root);
    if (children.length > 0) {
      const results = children.map((c) => this.filterBlockTree(c, out));
      if (results.some((r) => r)) {
        out.set(root, block);
        return true;
      }
      return false;
    }
    const currentEpoch = this.currentEpoch();
    const votingSource = this.getVotingSource(root);
    const correctJustified =
      this.justified.epoch === 0 ||
      votingSource.epoch === this.justified.epoch ||
      votingSource.epoch + 2 >= currentEpoch;
    const finalizedCheckpointBlock = this.getCheckpointBlockOrUndefined(root, this.finalized.epoch);
    const correctFinalized = this.finalized.epoch === 0 || this.finalized.root === finalizedCheckpointBlock;
    if (correctJustified && correctFinalized) {
      out.set(root, block);
      return true;
    }
    return false;
  }

  /**
   * `get_checkpoint_block`. Where the spec would walk past the anchor (an anchor not at an epoch start), the anchor
   * stands for the history before it.
   */
  private getCheckpointBlockOrUndefined(root: string, epoch: number): string | undefined {
    const slot = epoch * this.config.slotsPerEpoch;
    let r: string | undefined = root;
    while (r !== undefined) {
      const b = this.blocks.get(r) as StoredBlock;
      if (b.slot <= slot || b.parent === undefined) return r;
      r = b.parent;
    }
    return undefined;
  }

  getHead(): string {
    const blocks = new Map<string, StoredBlock>();
    this.filterBlockTree(this.justified.root, blocks);
    let head = this.justified.root;
    for (;;) {
      const children = [...blocks.values()].filter((b) => b.parent === head).map((b) => b.root);
      if (children.length === 0) return head;
      let best = children[0] as string;
      let bestWeight = this.getWeight(best);
      for (const c of children.slice(1)) {
        const w = this.getWeight(c);
        if (w > bestWeight || (w === bestWeight && c > best)) {
          best = c;
          bestWeight = w;
        }
      }
      head = best;
    }
  }

  private updateCheckpoints(justified: RefCheckpoint, finalized: RefCheckpoint): void {
    if (justified.epoch > this.justified.epoch) this.justified = justified;
    if (finalized.epoch > this.finalized.epoch) this.finalized = finalized;
  }

  private onTickPerSlot(time: number): void {
    const previousSlot = this.currentSlot();
    this.time = time;
    const currentSlot = this.currentSlot();
    if (currentSlot > previousSlot) this.proposerBoostRoot = undefined;
    if (currentSlot > previousSlot && currentSlot % this.config.slotsPerEpoch === 0) {
      this.updateCheckpoints(this.unrealizedJustified, this.unrealizedFinalized);
    }
  }

  onTick(time: number): void {
    assert(time >= this.time, "time went backwards");
    const tickSlot = Math.floor(time / this.config.secondsPerSlot);
    while (this.currentSlot() < tickSlot) this.onTickPerSlot((this.currentSlot() + 1) * this.config.secondsPerSlot);
    this.onTickPerSlot(time);
  }

  onBlock(input: RefBlock): void {
    if (this.blocks.has(input.root)) return;
    const parent = this.blocks.get(input.parent);
    assert(parent !== undefined, "unknown parent");
    assert(this.currentSlot() >= input.slot, "future block");
    assert(input.slot > parent.slot, "slot not after parent");
    const finalizedSlot = this.finalized.epoch * this.config.slotsPerEpoch;
    assert(input.slot > finalizedSlot, "before finalized");
    assert(
      this.getCheckpointBlockOrUndefined(input.parent, this.finalized.epoch) === this.finalized.root,
      "not descendant",
    );
    const justified = input.justified ?? parent.justified;
    const finalized = input.finalized ?? parent.finalized;
    const uj = input.unrealizedJustified ?? justified;
    const uf = input.unrealizedFinalized ?? finalized;
    this.blocks.set(input.root, { root: input.root, parent: input.parent, slot: input.slot, justified, finalized });
    const intoSlot = this.time - this.currentSlot() * this.config.secondsPerSlot;
    const isTimely = this.currentSlot() === input.slot && intoSlot < this.config.secondsPerSlot / 3;
    if (isTimely && this.proposerBoostRoot === undefined) this.proposerBoostRoot = input.root;
    this.updateCheckpoints(justified, finalized);
    // compute_pulled_up_tip
    this.unrealizedJustifications.set(input.root, uj);
    if (uj.epoch > this.unrealizedJustified.epoch) this.unrealizedJustified = uj;
    if (uf.epoch > this.unrealizedFinalized.epoch) this.unrealizedFinalized = uf;
    if (this.epochAt(input.slot) < this.currentEpoch()) this.updateCheckpoints(uj, uf);
    const waiting = this.waiting.get(input.root);
    if (waiting !== undefined) {
      this.waiting.delete(input.root);
      for (const att of waiting) {
        try {
          this.onAttestation(att);
        } catch (err) {
          if (!(err instanceof RefusedError)) throw err;
        }
      }
    }
  }

  /** Returns "queued" when the voted block is unknown. */
  onAttestation(att: RefAttestation): "applied" | "queued" {
    if (!att.fromBlock) {
      const current = this.currentEpoch();
      const previous = current > 0 ? current - 1 : 0;
      assert(att.targetEpoch === current || att.targetEpoch === previous, "target epoch not current or previous");
    }
    if (att.slot !== undefined) {
      assert(this.epochAt(att.slot) === att.targetEpoch, "slot not in target epoch");
      assert(this.currentSlot() >= att.slot + 1, "slot not in the past");
    }
    const block = this.blocks.get(att.root);
    if (block === undefined) {
      const list = this.waiting.get(att.root) ?? [];
      list.push(att);
      this.waiting.set(att.root, list);
      return "queued";
    }
    const attSlot = att.slot ?? (att.targetEpoch + 1) * this.config.slotsPerEpoch - 1;
    assert(block.slot <= attSlot, "block after attestation");
    if (att.targetRoot !== undefined) {
      assert(this.blocks.has(att.targetRoot), "unknown target");
      assert(this.getCheckpointBlockOrUndefined(att.root, att.targetEpoch) === att.targetRoot, "inconsistent target");
    }
    for (const i of att.validators) {
      if (this.equivocating.has(i)) continue;
      const m = this.latestMessages.get(i);
      if (m === undefined || att.targetEpoch > m.epoch)
        this.latestMessages.set(i, { epoch: att.targetEpoch, root: att.root });
    }
    return "applied";
  }

  onAttesterSlashing(validators: readonly number[]): void {
    for (const v of validators) this.equivocating.add(v);
  }
}

/** The outcome of one scenario step under the reference. */
export interface RefStepResult {
  head: string;
  justified: number;
  finalized: number;
  refused: boolean;
  queued: boolean;
}

/** Runs a parsed scenario (the `weft forkchoice` format) through the spec transcription. */
export function runSpecScenario(
  scenario: import("../../../src/consensus/forkChoice/scenario.js").Scenario,
): RefStepResult[] {
  const config = { slotsPerEpoch: 32, secondsPerSlot: 12, proposerScoreBoost: 40, ...scenario.config };
  const store = new SpecStore(config, scenario.anchor, scenario.balances);
  return scenario.steps.map((step) => {
    let refused = false;
    let queued = false;
    try {
      switch (step.kind) {
        case "tick":
          store.onTick(step.time);
          break;
        case "block":
          store.onBlock(step.block);
          break;
        case "attestation":
          queued =
            store.onAttestation({ ...step.attestation, validators: Array.from(step.attestation.validators) }) ===
            "queued";
          break;
        case "slashing":
          store.onAttesterSlashing(step.validators);
          break;
        case "balances":
          store.balances = [...step.balances];
          break;
        case "head":
          break;
      }
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      refused = true;
    }
    return {
      head: store.getHead(),
      justified: store.justified.epoch,
      finalized: store.finalized.epoch,
      refused,
      queued,
    };
  });
}
