/**
 * Slot simulator for calibrating tip probabilities: a small beacon network with known outcomes.
 *
 * Two fork-choice stores run on one event queue: the network's (what honest proposers and attesters see, blocks
 * and votes 0.3 s after they are made) and the observer's (the builder, with its own random delays). Each slot:
 *   - at its start the proposer picks the parent: the network head, or its parent when the head is late and weak
 *     and the proposer is one of the share that re-orgs such heads (the spec's `get_proposer_head` conditions);
 *   - the block is missed (5%), on time (published 0-1 s in, 78%), late (2-8 s, 12%) or very late (8-11.5 s, 5%),
 *     so some blocks lose the boost, some miss attesters' deadlines, and some reach the next proposer too late,
 *     who then builds beside them (a fork whose outcome the next slot's votes decide);
 *   - each of the slot's attesters (a random 85-100% of the committee) votes at 4 s, or when it sees the block if
 *     sooner, for the head of its view: with the new block (boosted if timely) if seen by then, else without it;
 *   - votes reach the observer after lognormal delays (median 1 s), and the observer asks for tip probabilities
 *     at fixed times into the slot.
 * The outcome of a question asked in slot s is the parent chosen by the proposer of slot s+1.
 */
import { ForkChoice } from "../../../src/consensus/forkChoice/forkChoice.js";
import type { Tip, TipModelParameters } from "../../../src/consensus/forkChoice/tipProbabilities.js";
import type { BlockInput, Checkpoint } from "../../../src/consensus/forkChoice/types.js";
import { rng } from "./randomScenario.js";

export interface SimulationOptions {
  seed: number;
  slots: number;
  validators: number;
  slotsPerEpoch?: number;
  /** Seconds into the slot at which the observer asks. */
  queryTimes?: readonly number[];
  /** Share of proposers that re-org late, weak heads. */
  reorgShare?: number;
}

/** One question to the model, with its answer once the next proposer has chosen. */
export interface SimulatedQuery {
  slot: number;
  secondsIntoSlot: number;
  tips: Tip[];
  headRoot: string;
  outcome: string;
  /** The outcome block had reached the observer when it was asked. */
  outcomeKnown: boolean;
}

type Event =
  | { time: number; seq: number; kind: "block"; block: BlockInput }
  | { time: number; seq: number; kind: "vote"; validator: number; root: string; epoch: number }
  | { time: number; seq: number; kind: "query"; slot: number };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** A binary min-heap of events by time (then insertion order). */
class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(e: DistributiveOmit<Event, "seq">): void {
    const ev = { ...e, seq: this.seq++ } as Event;
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }
  peek(): Event | undefined {
    return this.heap[0];
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Event, h[m] as Event)) m = l;
        if (r < h.length && this.less(h[r] as Event, h[m] as Event)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Event, h[i] as Event];
        i = m;
      }
    }
    return top;
  }
  private less(a: Event, b: Event): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
}

const REORG_HEAD_WEIGHT_THRESHOLD = 20n;
const REORG_PARENT_WEIGHT_THRESHOLD = 160n;

/**
 * Runs the simulation; `ask` is called at every query time with the observer's store and returns its answer
 * (so one run can score several models). Returns every query with its outcome.
 */
export function simulate(
  options: SimulationOptions,
  ask: (observer: ForkChoice) => Tip[] = (observer) => observer.getTips(),
): SimulatedQuery[] {
  const rand = rng(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * normal());
  const spe = options.slotsPerEpoch ?? 32;
  const secondsPerSlot = 12;
  const queryTimes = options.queryTimes ?? [1, 2, 3, 4, 5, 6, 8, 10];
  const reorgShare = options.reorgShare ?? 0.5;
  const config = { slotsPerEpoch: spe, secondsPerSlot, proposerScoreBoost: 40 };
  const balances = Array.from({ length: options.validators }, () => 32_000_000_000);
  const genesis = `0x${"00".repeat(32)}`;
  const network = new ForkChoice({ config, anchor: { root: genesis, slot: 0 }, balances });
  const observer = new ForkChoice({ config, anchor: { root: genesis, slot: 0 }, balances });
  const committeeWeight = (BigInt(options.validators) * 32_000_000_000n) / BigInt(spe);
  const networkQueue = new EventQueue();
  const observerQueue = new EventQueue();
  const queries: SimulatedQuery[] = [];
  const parentAt = new Map<number, string>();
  const observerArrival = new Map<string, number>([[genesis, 0]]);
  // A healthy chain: a block of epoch e carries justified e-1 and finalized e-2 (checkpoint blocks of its chain).
  const blocks = new Map<string, { parent: string; slot: number }>([[genesis, { parent: "", slot: 0 }]]);
  const checkpointOf = (root: string, epoch: number): Checkpoint => {
    let r = root;
    for (let b = blocks.get(r); b !== undefined && b.slot > epoch * spe && b.parent !== ""; b = blocks.get(r))
      r = b.parent;
    return { epoch, root: r };
  };
  const newBlock = (root: string, parent: string, slot: number): BlockInput => {
    blocks.set(root, { parent, slot });
    const epoch = Math.floor(slot / spe);
    return {
      root,
      parent,
      slot,
      justified: checkpointOf(root, Math.max(0, epoch - 1)),
      finalized: checkpointOf(root, Math.max(0, epoch - 2)),
    };
  };
  let rootCounter = 0;
  const newRoot = () => {
    rootCounter++;
    let h = (rootCounter * 2654435761) >>> 0;
    let s = "0x";
    for (let i = 0; i < 8; i++) {
      h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
      s += h.toString(16).padStart(8, "0");
    }
    return s;
  };
  // Each store consumes its own queue in time order; an event scheduled behind a store's clock (a vote made
  // before the block it follows was applied) is applied at the store's time.
  const run = (queue: EventQueue, store: ForkChoice, until: number) => {
    for (let e = queue.peek(); e !== undefined && e.time < until; e = queue.peek()) {
      queue.pop();
      store.onTick(Math.max(store.time, e.time));
      if (e.kind === "query") {
        queries.push({
          slot: e.slot,
          secondsIntoSlot: e.time - e.slot * secondsPerSlot,
          tips: ask(store),
          headRoot: store.getHead(),
          outcome: "",
          outcomeKnown: false,
        });
      } else if (e.kind === "block") {
        store.onBlock(e.block);
      } else {
        store.onAttestation({ validators: [e.validator], root: e.root, targetEpoch: e.epoch });
      }
    }
  };

  /** `get_proposer_head` on the network store, for a proposer at the start of `slot`. */
  const proposerHead = (slot: number): string => {
    const head = network.getHead();
    const headBlock = network.getBlock(head);
    if (headBlock === undefined || headBlock.parentRoot === undefined || rand() >= reorgShare) return head;
    const parent = network.getBlock(headBlock.parentRoot);
    if (parent === undefined) return head;
    const reorg =
      !headBlock.timely &&
      slot % spe !== 0 &&
      Math.floor(slot / spe) - network.finalized.epoch <= 2 &&
      headBlock.unrealizedJustified.root === parent.unrealizedJustified.root &&
      parent.slot + 1 === headBlock.slot &&
      headBlock.slot + 1 === slot &&
      (network.getWeight(head) as bigint) < (committeeWeight * REORG_HEAD_WEIGHT_THRESHOLD) / 100n &&
      (network.getWeight(parent.root) as bigint) > (committeeWeight * REORG_PARENT_WEIGHT_THRESHOLD) / 100n;
    return reorg ? parent.root : head;
  };

  let lastBlock: { root: string; parent: string; proposerSees: number } | undefined;
  for (let slot = 1; slot <= options.slots + 1; slot++) {
    const start = slot * secondsPerSlot;
    run(observerQueue, observer, start);
    run(networkQueue, network, start);
    network.onTick(start);
    let parent = proposerHead(slot);
    // A proposer that has not received the previous slot's block yet builds beside it.
    const previous = lastBlock;
    if (previous !== undefined && parent === previous.root && previous.proposerSees > start) parent = previous.parent;
    parentAt.set(slot, parent);
    if (slot > options.slots) break;
    const headWithout = network.getHead();
    const r = rand();
    // Missed (5%), on time (78%), late (12%: after some attesters' deadline), very late (5%: near the next slot).
    const delay = r < 0.05 ? undefined : r < 0.83 ? rand() : r < 0.95 ? 2 + 6 * rand() : 8 + 3.5 * rand();
    lastBlock = undefined;
    let headWith = headWithout;
    let networkArrival = Number.POSITIVE_INFINITY;
    if (delay !== undefined) {
      const block = newBlock(newRoot(), parent, slot);
      lastBlock = { root: block.root, parent, proposerSees: start + delay + lognormal(0.6, 0.7) };
      networkArrival = start + delay + 0.3;
      observerArrival.set(block.root, start + delay + lognormal(0.5, 0.5));
      observerQueue.push({ time: observerArrival.get(block.root) as number, kind: "block", block });
      if (networkArrival < start + 4) {
        run(networkQueue, network, networkArrival);
        network.onTick(networkArrival);
        network.onBlock(block);
        headWith = network.getHead();
      } else {
        networkQueue.push({ time: networkArrival, kind: "block", block });
      }
    }
    const participation = 0.85 + 0.15 * rand();
    const epoch = Math.floor(slot / spe);
    for (let v = slot % spe; v < options.validators; v += spe) {
      if (rand() > participation) continue;
      const seen = delay === undefined ? Number.POSITIVE_INFINITY : start + delay + lognormal(0.6, 0.7);
      const castAt = Math.min(start + 4, Math.max(seen, start + 0.5));
      const root = seen <= start + 4 && networkArrival < start + 4 ? headWith : headWithout;
      networkQueue.push({ time: castAt + 0.3, kind: "vote", validator: v, root, epoch });
      observerQueue.push({ time: castAt + lognormal(1, 0.6), kind: "vote", validator: v, root, epoch });
    }
    for (const t of queryTimes) observerQueue.push({ time: start + t, kind: "query", slot });
  }
  for (const q of queries) {
    q.outcome = parentAt.get(q.slot + 1) ?? "";
    q.outcomeKnown =
      (observerArrival.get(q.outcome) ?? Number.POSITIVE_INFINITY) <= q.slot * secondsPerSlot + q.secondsIntoSlot;
  }
  return queries.filter((q) => q.outcome !== "");
}

/** Multi-class Brier score of one answer: sum over candidates of (p − outcome)². */
export function brier(tips: readonly Pick<Tip, "root" | "probability">[], outcome: string): number {
  let score = 0;
  let found = false;
  for (const t of tips) {
    const o = t.root === outcome ? 1 : 0;
    if (o === 1) found = true;
    score += (t.probability - o) ** 2;
  }
  return found ? score : score + 1;
}

/** The naive baseline: all probability on the current head. */
export function headOnly(tips: readonly Tip[], headRoot: string): Array<Pick<Tip, "root" | "probability">> {
  return tips.map((t) => ({ root: t.root, probability: t.root === headRoot ? 1 : 0 }));
}

export interface CalibrationSummary {
  queries: number;
  /** Queries whose outcome was a block the observer had received (the model ranks only blocks it knows). */
  scored: number;
  /** Scored queries with two or more candidates. */
  contested: number;
  modelBrier: number;
  headOnlyBrier: number;
  modelBrierContested: number;
  headOnlyBrierContested: number;
  /** Per query time: model and baseline Brier over scored queries. */
  byTime: Array<{ secondsIntoSlot: number; scored: number; model: number; headOnly: number }>;
}

export function summarize(queries: readonly SimulatedQuery[]): CalibrationSummary {
  const known = queries.filter((q) => q.outcomeKnown);
  const contested = known.filter((q) => q.tips.length >= 2);
  const mean = (qs: readonly SimulatedQuery[], f: (q: SimulatedQuery) => number) =>
    qs.length === 0 ? 0 : qs.reduce((a, q) => a + f(q), 0) / qs.length;
  const model = (q: SimulatedQuery) => brier(q.tips, q.outcome);
  const base = (q: SimulatedQuery) => brier(headOnly(q.tips, q.headRoot), q.outcome);
  const times = [...new Set(known.map((q) => q.secondsIntoSlot))].sort((a, b) => a - b);
  return {
    queries: queries.length,
    scored: known.length,
    contested: contested.length,
    modelBrier: mean(known, model),
    headOnlyBrier: mean(known, base),
    modelBrierContested: mean(contested, model),
    headOnlyBrierContested: mean(contested, base),
    byTime: times.map((t) => {
      const qs = known.filter((q) => q.secondsIntoSlot === t);
      return { secondsIntoSlot: t, scored: qs.length, model: mean(qs, model), headOnly: mean(qs, base) };
    }),
  };
}

export type { TipModelParameters };
