/**
 * The shuffling cache: previous, current and next epoch's shufflings and proposers, always computed ahead of the
 * slot that needs them (the Prysm lesson: proposers computed at slot 0 made every epoch's first block late).
 *
 *   processState(state)   takes each new head state; the one after the transition into epoch C (the last slot of
 *                         epoch C - 1 processed, with or without a block) determines everything about C + 1:
 *                         its seed (RANDAO mix of C - 1 is final) and active set. The cache keeps C - 1 and C
 *                         (computed an epoch ago as "next") and starts C + 1 on its computer (a worker pool, or
 *                         this thread after a yield): the shift. Proposers: Fulu fixes C + 1's at this transition
 *                         (proposer_lookahead), so they are computed (or read from the state's lookahead) with
 *                         the shuffling; Electra's depend on balances at the start of C and are computed for C.
 *   get*(epoch)           read the head state's entry: a map lookup. An entry still being computed is awaited,
 *                         not computed again. Only an entry that was never started is computed on the request
 *                         path, and that is counted (weft_shuffling_request_path_computations_total, `stats`): it
 *                         stays 0 while every epoch transition reaches processState.
 *
 * Entries are keyed by (epoch, decision root), as Lodestar keys its cache: the block root at the last slot of
 * epoch - 2 fixes an epoch's seed and active set (and Fulu's proposers); Electra's proposers depend on the root at
 * the last slot of epoch - 1. So a late block that changes the RANDAO mix, or a reorg, yields new keys and new
 * computations, while entries it cannot change are kept. States given to the cache must not be mutated afterwards.
 */
import { ConsensusError } from "../errors.js";
import { shufflingComputations, shufflingRequestPathComputations } from "../metrics.js";
import {
  type ConsensusPreset,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_PROPOSER,
} from "../params.js";
import { unshuffleList } from "../shuffle/shuffleList.js";
import { computeProposerIndex, type ProposerPreset, proposerSeeds } from "../util/proposer.js";
import { getSeed } from "../util/seed.js";
import type { ShufflingState, ValidatorColumns } from "../util/state.js";
import { getActiveValidatorIndices } from "../util/validator.js";
import { type AttesterDuty, attesterDuties, type ProposerDuty, proposerDuties } from "./duties.js";
import { buildEpochShuffling, type EpochShuffling, epochShufflingInput } from "./epochShuffling.js";

export type ShufflingFork = "electra" | "fulu";

/** Where the cache's computations run: a ShufflePool (worker threads), or `inThreadComputer`. */
export interface ShufflingComputer {
  unshuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number): Promise<Uint32Array>;
  computeProposerIndices(
    seeds: readonly Uint8Array[],
    activeIndices: Uint32Array,
    effectiveBalanceIncrements: Uint16Array,
    preset: ProposerPreset,
  ): Promise<Uint32Array>;
}

/** Computes on the caller's thread, after yielding to the event loop (off the caller's stack, not off its thread). */
export const inThreadComputer: ShufflingComputer = {
  async unshuffleList(indices, seed, rounds) {
    await new Promise((resolve) => setImmediate(resolve));
    return unshuffleList(indices, seed, rounds);
  },
  async computeProposerIndices(seeds, activeIndices, effectiveBalanceIncrements, preset) {
    await new Promise((resolve) => setImmediate(resolve));
    return Uint32Array.from(seeds, (seed) =>
      computeProposerIndex(seed, activeIndices, effectiveBalanceIncrements, preset),
    );
  },
};

export interface ShufflingCacheOptions {
  preset: ConsensusPreset;
  /** Proposer rules: "fulu" (lookahead, default) or "electra". */
  fork?: ShufflingFork;
  /**
   * Where shufflings and proposers are computed. Default inThreadComputer, which holds this thread for each
   * computation (about a whole-list shuffle at every transition); a service passes a ShufflePool.
   */
  computer?: ShufflingComputer;
  /** Entries kept per kind, across forks (default 12). */
  maxEntries?: number;
}

export interface ShufflingCacheStats {
  /** Shufflings and proposer sets started by processState. */
  backgroundComputations: number;
  /** Shufflings and proposer sets a request had to start: 0 in normal operation. */
  requestPathComputations: number;
}

type Path = "background" | "request";

export type Readiness = "ready" | "computing" | "absent";

interface Entry<T> {
  epoch: number;
  promise: Promise<T>;
  value: T | undefined;
}

export class ShufflingCache {
  readonly stats: ShufflingCacheStats = { backgroundComputations: 0, requestPathComputations: 0 };
  private readonly preset: ConsensusPreset;
  private readonly fork: ShufflingFork;
  private readonly computer: ShufflingComputer;
  private readonly maxEntries: number;
  private readonly shufflings = new Map<string, Entry<EpochShuffling>>();
  private readonly proposers = new Map<string, Entry<Uint32Array>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** get_active_validator_indices per validator set and epoch: one O(validators) pass serves both kinds. */
  private readonly activeIndices = new WeakMap<ValidatorColumns, Map<number, Uint32Array>>();
  private head: ShufflingState | undefined;

  constructor(options: ShufflingCacheOptions) {
    this.preset = options.preset;
    this.fork = options.fork ?? "fulu";
    this.computer = options.computer ?? inThreadComputer;
    this.maxEntries = options.maxEntries ?? 12;
  }

  /** Takes a new head state: starts whatever it newly determines, drops what fell out of the window. */
  processState(state: ShufflingState): void {
    this.head = state;
    const current = computeEpochAtSlot(state.slot, this.preset);
    for (const epoch of [current, current + 1, current - 1]) {
      if (epoch >= 0) this.shufflingEntry(state, epoch, "background");
    }
    this.proposerEntry(state, current, "background");
    if (this.fork === "fulu") this.proposerEntry(state, current + 1, "background");
    prune(this.shufflings, current - 1, this.maxEntries);
    prune(this.proposers, current, this.maxEntries);
  }

  /** The head's shuffling for `epoch` (previous, current or next epoch of the head; older while cached). */
  async getShuffling(epoch: number): Promise<EpochShuffling> {
    const entry = this.shufflingEntry(this.headState(epoch), epoch, "request");
    return entry.value ?? (await entry.promise);
  }

  /** The head's proposers for `epoch`, one per slot. */
  async getProposers(epoch: number): Promise<Uint32Array> {
    const entry = this.proposerEntry(this.headState(epoch), epoch, "request");
    return entry.value ?? (await entry.promise);
  }

  async getProposerDuties(epoch: number): Promise<ProposerDuty[]> {
    return proposerDuties(epoch, await this.getProposers(epoch), this.preset);
  }

  async getAttesterDuties(epoch: number, validatorIndices: readonly number[]): Promise<AttesterDuty[]> {
    return attesterDuties(await this.getShuffling(epoch), validatorIndices, this.preset);
  }

  /** Whether the head's shuffling and proposers for `epoch` are computed, being computed, or not started. */
  readiness(epoch: number): { shuffling: Readiness; proposers: Readiness } {
    const state = this.head;
    if (state === undefined) return { shuffling: "absent", proposers: "absent" };
    const of = <T>(map: Map<string, Entry<T>>, decisionEpoch: number): Readiness => {
      const decisionSlot = computeStartSlotAtEpoch(decisionEpoch, this.preset) - 1;
      if (decisionSlot >= state.slot || state.slot > decisionSlot + this.preset.SLOTS_PER_HISTORICAL_ROOT) {
        return "absent";
      }
      const entry = map.get(this.key(state, epoch, decisionSlot));
      return entry === undefined ? "absent" : entry.value === undefined ? "computing" : "ready";
    };
    return {
      shuffling: of(this.shufflings, epoch - 1),
      proposers: of(this.proposers, this.fork === "fulu" ? epoch - 1 : epoch),
    };
  }

  /** Resolves once every computation started so far has finished (failed ones included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private headState(epoch: number): ShufflingState {
    if (this.head === undefined) {
      throw new ConsensusError("EPOCH_NOT_CACHED", "the shuffling cache has no state yet", { epoch });
    }
    return this.head;
  }

  private shufflingEntry(state: ShufflingState, epoch: number, path: Path): Entry<EpochShuffling> {
    const current = computeEpochAtSlot(state.slot, this.preset);
    const key = this.key(state, epoch, computeStartSlotAtEpoch(epoch - 1, this.preset) - 1);
    const cached = this.shufflings.get(key);
    if (cached !== undefined) return cached;
    // The seed needs the RANDAO mix of epoch - 2, final only once that epoch has ended, and still in the vector.
    if (epoch > current + 1 || epoch - 2 <= current - this.preset.EPOCHS_PER_HISTORICAL_VECTOR) {
      throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the head state does not determine this epoch's shuffling", {
        epoch,
        details: `head epoch ${current}`,
      });
    }
    this.count(path, "shuffling");
    const input = epochShufflingInput(state, epoch, this.preset, this.activeValidatorIndices(state, epoch));
    const promise = this.computer
      .unshuffleList(input.activeIndices, input.seed, this.preset.SHUFFLE_ROUND_COUNT)
      .then((shuffled) => buildEpochShuffling(input, shuffled, this.preset));
    return this.store(this.shufflings, key, epoch, promise);
  }

  private proposerEntry(state: ShufflingState, epoch: number, path: Path): Entry<Uint32Array> {
    const { preset } = this;
    const current = computeEpochAtSlot(state.slot, preset);
    // Fulu fixes proposers at the end of epoch - 2 (lookahead); Electra's use balances at the start of epoch.
    const decisionEpoch = this.fork === "fulu" ? epoch - 1 : epoch;
    const key = this.key(state, epoch, computeStartSlotAtEpoch(decisionEpoch, preset) - 1);
    const cached = this.proposers.get(key);
    if (cached !== undefined) return cached;
    const lookahead = this.fork === "fulu" ? preset.MIN_SEED_LOOKAHEAD : 0;
    if (epoch < current || epoch > current + lookahead) {
      throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the head state does not determine this epoch's proposers", {
        epoch,
        details: `head epoch ${current}, ${this.fork} proposer lookahead ${lookahead}`,
      });
    }
    // Fulu states carry proposer_lookahead for the current epoch and MIN_SEED_LOOKAHEAD more: the spec's own
    // values, nothing to compute.
    const offset = (epoch - current) * preset.SLOTS_PER_EPOCH;
    const fromState = state.proposerLookahead?.slice(offset, offset + preset.SLOTS_PER_EPOCH);
    if (this.fork === "fulu" && fromState !== undefined && fromState.length === preset.SLOTS_PER_EPOCH) {
      return this.store(this.proposers, key, epoch, Promise.resolve(fromState), fromState);
    }
    // Otherwise compute from this state: exact for the epoch this state fixes (Fulu: current + 1; Electra: current);
    // for a Fulu state's current epoch without a lookahead (a cache started mid-chain) balances may have moved.
    this.count(path, "proposers");
    const activeIndices = this.activeValidatorIndices(state, epoch);
    const seeds = proposerSeeds(getSeed(state, epoch, DOMAIN_BEACON_PROPOSER, preset), epoch, preset);
    const promise = this.computer.computeProposerIndices(
      seeds,
      activeIndices,
      state.validators.effectiveBalanceIncrements,
      preset,
    );
    return this.store(this.proposers, key, epoch, promise);
  }

  private activeValidatorIndices(state: ShufflingState, epoch: number): Uint32Array {
    let byEpoch = this.activeIndices.get(state.validators);
    if (byEpoch === undefined) {
      byEpoch = new Map();
      this.activeIndices.set(state.validators, byEpoch);
    }
    let indices = byEpoch.get(epoch);
    if (indices === undefined) {
      indices = getActiveValidatorIndices(state.validators, epoch);
      byEpoch.set(epoch, indices);
      if (byEpoch.size > 4) byEpoch.delete(byEpoch.keys().next().value as number);
    }
    return indices;
  }

  /** (epoch, decision root) as a map key; before genesis' first epochs the root is genesis itself. */
  private key(state: ShufflingState, epoch: number, decisionSlot: number): string {
    if (decisionSlot < 0) return `${epoch}:genesis`;
    if (!(decisionSlot < state.slot && state.slot <= decisionSlot + this.preset.SLOTS_PER_HISTORICAL_ROOT)) {
      throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the head state has no block root for this epoch's decision", {
        epoch,
        details: `decision slot ${decisionSlot}, head slot ${state.slot}`,
      });
    }
    const root = state.blockRoots[decisionSlot % this.preset.SLOTS_PER_HISTORICAL_ROOT];
    if (root === undefined) {
      throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the head state lacks a block root", { epoch });
    }
    return `${epoch}:${Buffer.from(root.buffer, root.byteOffset, root.byteLength).toString("hex")}`;
  }

  private count(path: Path, kind: "shuffling" | "proposers"): void {
    shufflingComputations.inc({ path, kind });
    if (path === "request") {
      this.stats.requestPathComputations++;
      shufflingRequestPathComputations.inc();
    } else {
      this.stats.backgroundComputations++;
    }
  }

  private store<T>(map: Map<string, Entry<T>>, key: string, epoch: number, promise: Promise<T>, value?: T): Entry<T> {
    const entry: Entry<T> = { epoch, promise, value };
    map.set(key, entry);
    if (value === undefined) {
      const tracked = promise.then(
        (v) => {
          entry.value = v;
        },
        () => {
          // A failed computation leaves the cache; the next request or state starts it again.
          if (map.get(key) === entry) map.delete(key);
        },
      );
      this.inFlight.add(tracked);
      void tracked.finally(() => this.inFlight.delete(tracked));
    }
    return entry;
  }
}

/** Drops entries of epochs before `oldest`, then the oldest inserted beyond `max`. */
function prune<T>(map: Map<string, Entry<T>>, oldest: number, max: number): void {
  for (const [key, entry] of map) if (entry.epoch < oldest) map.delete(key);
  for (const key of map.keys()) {
    if (map.size <= max) break;
    map.delete(key);
  }
}
