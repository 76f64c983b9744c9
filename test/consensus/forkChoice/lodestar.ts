/**
 * Lodestar 1.5.1's fork choice as a reference (devDependency): its `ProtoArray`, and its `computeDeltas`, which the
 * package does not export, loaded from its file. `LodestarDriver` plays the part of Lodestar's `ForkChoice` around
 * them (latest messages with their epochs, equivocations, the proposer boost and its score) for the inputs of a
 * scenario whose checkpoints never move. Test and benchmark code only.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as LodestarForkChoice from "@lodestar/fork-choice";
import { repositoryRoot } from "../../../src/shared/sharedDir.js";

type ProtoBlock = LodestarForkChoice.ProtoBlock;
type ProtoArray = LodestarForkChoice.ProtoArray;

// Installed apart from weft's tree (test/vendor/lodestar-fork-choice, `npm run vendor`): its @lodestar/* 1.5.1
// cannot share one npm tree with the Builder API's @lodestar/* 1.48.
const vendor = join(repositoryRoot(), "test", "vendor", "lodestar-fork-choice", "package.json");
const require = createRequire(vendor);
const libEntry = require.resolve("@lodestar/fork-choice");
const lib = (await import(pathToFileURL(libEntry).href)) as typeof LodestarForkChoice;
const { ExecutionStatus, ProtoArray } = lib;

export { ProtoArray };

export interface LodestarVote {
  currentRoot: string;
  nextRoot: string;
  nextEpoch: number;
}

export type LodestarComputeDeltas = (
  indices: Map<string, number>,
  votes: Array<LodestarVote | undefined>,
  oldBalances: ArrayLike<number>,
  newBalances: ArrayLike<number>,
  equivocatingIndices: Set<number>,
) => number[];

const libDir = dirname(libEntry);

export const HEX_ZERO_HASH = `0x${"00".repeat(32)}`;

/** Lodestar's `computeDeltas` (not exported by the package). */
export async function loadLodestarComputeDeltas(): Promise<LodestarComputeDeltas> {
  const mod = (await import(pathToFileURL(join(libDir, "protoArray", "computeDeltas.js")).href)) as {
    computeDeltas: LodestarComputeDeltas;
  };
  return mod.computeDeltas;
}

/** A pre-merge proto block with fixed checkpoints. */
export function lodestarBlock(
  root: string,
  parentRoot: string,
  slot: number,
  checkpoint: { epoch: number; root: string },
): ProtoBlock {
  return {
    slot,
    blockRoot: root,
    parentRoot,
    stateRoot: HEX_ZERO_HASH,
    targetRoot: root,
    justifiedEpoch: checkpoint.epoch,
    justifiedRoot: checkpoint.root,
    finalizedEpoch: checkpoint.epoch,
    finalizedRoot: checkpoint.root,
    unrealizedJustifiedEpoch: checkpoint.epoch,
    unrealizedJustifiedRoot: checkpoint.root,
    unrealizedFinalizedEpoch: checkpoint.epoch,
    unrealizedFinalizedRoot: checkpoint.root,
    executionPayloadBlockHash: null,
    executionStatus: ExecutionStatus.PreMerge,
  };
}

export class LodestarDriver {
  readonly proto: ProtoArray;
  private readonly votes: Array<LodestarVote | undefined> = [];
  private readonly equivocating = new Set<number>();
  private oldBalances: number[] = [];
  private balances: number[];
  private boostRoot: string | null = null;
  private time: number;
  private readonly checkpoint: { epoch: number; root: string };

  constructor(
    private readonly computeDeltas: LodestarComputeDeltas,
    private readonly config: { slotsPerEpoch: number; secondsPerSlot: number; proposerScoreBoost: number },
    anchor: { root: string; slot: number },
    balances: readonly bigint[],
  ) {
    this.checkpoint = { epoch: Math.floor(anchor.slot / config.slotsPerEpoch), root: anchor.root };
    this.time = anchor.slot * config.secondsPerSlot;
    this.balances = balances.map(Number);
    this.proto = ProtoArray.initialize(
      lodestarBlock(anchor.root, HEX_ZERO_HASH, anchor.slot, this.checkpoint),
      this.currentSlot(),
    );
  }

  currentSlot(): number {
    return Math.floor(this.time / this.config.secondsPerSlot);
  }

  onTick(time: number): void {
    const previous = this.currentSlot();
    this.time = time;
    if (this.currentSlot() > previous) this.boostRoot = null;
  }

  onBlock(root: string, parent: string, slot: number): void {
    this.proto.onBlock(lodestarBlock(root, parent, slot, this.checkpoint), this.currentSlot());
    const intoSlot = this.time - this.currentSlot() * this.config.secondsPerSlot;
    if (slot === this.currentSlot() && intoSlot < this.config.secondsPerSlot / 3 && this.boostRoot === null) {
      this.boostRoot = root;
    }
  }

  /** Lodestar's `addLatestMessage`: a vote moves only to a newer target epoch. */
  onAttestation(validators: ArrayLike<number>, root: string, targetEpoch: number): void {
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i] as number;
      if (this.equivocating.has(v)) continue;
      const vote = this.votes[v];
      if (vote === undefined) this.votes[v] = { currentRoot: HEX_ZERO_HASH, nextRoot: root, nextEpoch: targetEpoch };
      else if (targetEpoch > vote.nextEpoch) {
        vote.nextRoot = root;
        vote.nextEpoch = targetEpoch;
      }
    }
  }

  onAttesterSlashing(validators: readonly number[]): void {
    for (const v of validators) this.equivocating.add(v);
  }

  setBalances(balances: readonly bigint[]): void {
    this.balances = balances.map(Number);
  }

  getHead(): string {
    const deltas = this.computeDeltas(
      this.proto.indices,
      this.votes,
      this.oldBalances,
      this.balances,
      this.equivocating,
    );
    const total = this.balances.reduce((a, b) => a + b, 0);
    const score = Math.floor((Math.floor(total / this.config.slotsPerEpoch) * this.config.proposerScoreBoost) / 100);
    this.proto.applyScoreChanges({
      deltas,
      proposerBoost: this.boostRoot === null ? null : { root: this.boostRoot, score },
      justifiedEpoch: this.checkpoint.epoch,
      justifiedRoot: this.checkpoint.root,
      finalizedEpoch: this.checkpoint.epoch,
      finalizedRoot: this.checkpoint.root,
      currentSlot: this.currentSlot(),
    });
    this.oldBalances = this.balances;
    return this.proto.findHead(this.checkpoint.root, this.currentSlot());
  }

  weight(root: string): number | undefined {
    return this.proto.getNode(root)?.weight;
  }
}
