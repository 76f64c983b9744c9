/**
 * Random fork-choice scenarios for differential tests: block trees with forks, ticks that cross slots and
 * epochs (so that proposer boost comes and goes), vote streams that move, balance changes, slashings, and,
 * optionally, moving checkpoints and inputs the fork choice must refuse. Seeded, so a failure reproduces.
 */
import type { Scenario, ScenarioStep } from "../../../src/consensus/forkChoice/scenario.js";
import type { Checkpoint } from "../../../src/consensus/forkChoice/types.js";

export interface RandomScenarioOptions {
  seed: number;
  validators: number;
  steps: number;
  slotsPerEpoch: number;
  /** Blocks carry newer justified/finalized checkpoints now and then (pruning, filtering). */
  checkpoints: boolean;
  /** Include blocks and attestations that must be refused, and votes for blocks not yet seen. */
  invalid: boolean;
  /** Balances of 0 to 3 gwei (many ties) rather than whole ETH. */
  tinyBalances?: boolean;
}

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenBlock {
  root: string;
  parent: string | undefined;
  slot: number;
  justified: Checkpoint;
  finalized: Checkpoint;
  unrealizedJustified: Checkpoint;
  unrealizedFinalized: Checkpoint;
}

export function randomScenario(o: RandomScenarioOptions): Scenario {
  const rand = rng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const randomRoot = () => {
    let s = "0x";
    for (let i = 0; i < 64; i++) s += Math.floor(rand() * 16).toString(16);
    return s;
  };
  const secondsPerSlot = 12;
  const spe = o.slotsPerEpoch;
  const balances = () =>
    Array.from({ length: o.validators }, () =>
      o.tinyBalances ? BigInt(int(0, 3)) : BigInt(rand() < 0.1 ? 0 : int(1, 64)) * 1_000_000_000n,
    );
  const anchorSlot = rand() < 0.7 ? 0 : int(1, 3) * spe + (rand() < 0.5 ? 0 : int(1, spe - 1));
  const anchorRoot = randomRoot();
  const anchorCp = { epoch: Math.floor(anchorSlot / spe), root: anchorRoot };
  const blocks = new Map<string, GenBlock>();
  const order: GenBlock[] = [];
  const add = (b: GenBlock) => {
    blocks.set(b.root, b);
    order.push(b);
  };
  add({
    root: anchorRoot,
    parent: undefined,
    slot: anchorSlot,
    justified: anchorCp,
    finalized: anchorCp,
    unrealizedJustified: anchorCp,
    unrealizedFinalized: anchorCp,
  });
  const ancestorAt = (root: string, slot: number): string => {
    let b = blocks.get(root) as GenBlock;
    while (b.slot > slot && b.parent !== undefined) b = blocks.get(b.parent) as GenBlock;
    return b.root;
  };
  const checkpointOf = (chainTip: string, epoch: number): Checkpoint => ({
    epoch,
    root: ancestorAt(chainTip, epoch * spe),
  });
  let time = anchorSlot * secondsPerSlot;
  const slotNow = () => Math.floor(time / secondsPerSlot);
  const planned: string[] = [];
  const steps: ScenarioStep[] = [];
  const recentBlock = () => (rand() < 0.6 ? pick(order.slice(-5)) : pick(order));

  const tick = () => {
    if (rand() < 0.6) time += rand() * 6;
    else time = (slotNow() + int(1, 2)) * secondsPerSlot + (rand() < 0.6 ? rand() * 3.9 : rand() * 11.9);
    time = Math.round(time * 1000) / 1000;
    steps.push({ kind: "tick", time });
  };

  for (let s = 0; s < o.steps; s++) {
    const r = rand();
    if (r < 0.22) {
      tick();
    } else if (r < 0.5) {
      const parent = recentBlock();
      const current = slotNow();
      if (parent.slot >= current) {
        if (o.invalid && rand() < 0.3) {
          steps.push({
            kind: "block",
            block: { root: randomRoot(), parent: parent.root, slot: parent.slot + int(0, 2) },
          });
        } else {
          tick();
        }
        continue;
      }
      const slot = int(parent.slot + 1, current);
      const root = planned.length > 0 && rand() < 0.5 ? (planned.shift() as string) : randomRoot();
      if (blocks.has(root)) continue;
      // Provisional entry so that checkpoints may name the block itself.
      const b: GenBlock = { ...parent, root, parent: parent.root, slot };
      blocks.set(root, b);
      const epoch = Math.floor(slot / spe);
      if (o.checkpoints && rand() < 0.3) {
        const jEpoch = int(parent.justified.epoch, Math.max(parent.justified.epoch, epoch - 1));
        b.justified = jEpoch === parent.justified.epoch ? parent.justified : checkpointOf(root, jEpoch);
        const fEpoch = int(parent.finalized.epoch, Math.max(parent.finalized.epoch, Math.min(jEpoch, epoch - 1)));
        b.finalized = fEpoch === parent.finalized.epoch ? parent.finalized : checkpointOf(root, fEpoch);
      }
      if (o.checkpoints && rand() < 0.3) {
        const lo = Math.max(b.justified.epoch, parent.unrealizedJustified.epoch);
        const ujEpoch = int(lo, Math.max(lo, epoch));
        b.unrealizedJustified = checkpointOf(root, ujEpoch);
        const flo = Math.max(b.finalized.epoch, parent.unrealizedFinalized.epoch);
        const ufEpoch = int(flo, Math.max(flo, Math.min(ujEpoch, epoch - 1)));
        b.unrealizedFinalized = checkpointOf(root, ufEpoch);
      } else {
        b.unrealizedJustified = b.justified;
        b.unrealizedFinalized = b.finalized;
      }
      order.push(b);
      const parentRoot = o.invalid && rand() < 0.05 ? randomRoot() : parent.root;
      steps.push({
        kind: "block",
        block: {
          root,
          parent: parentRoot,
          slot,
          justified: b.justified,
          finalized: b.finalized,
          unrealizedJustified: b.unrealizedJustified,
          unrealizedFinalized: b.unrealizedFinalized,
        },
      });
      if (parentRoot !== parent.root) {
        blocks.delete(root);
        order.pop();
      }
    } else if (r < 0.88) {
      const size = rand() < 0.5 ? int(1, 3) : int(1, o.validators);
      const validators = new Set<number>();
      for (let i = 0; i < size; i++) validators.add(int(0, o.validators - 1));
      let root: string;
      const q = rand();
      if (o.invalid && q < 0.08) {
        root = randomRoot();
        if (rand() < 0.7) planned.push(root);
      } else {
        root = recentBlock().root;
      }
      const currentEpoch = Math.floor(slotNow() / spe);
      let targetEpoch = rand() < 0.75 ? currentEpoch : Math.max(0, currentEpoch - 1);
      if (o.invalid && rand() < 0.05) targetEpoch = rand() < 0.5 ? currentEpoch + 1 : Math.max(0, currentEpoch - 2);
      const attestation: ScenarioStep & { kind: "attestation" } = {
        kind: "attestation",
        attestation: { validators: [...validators], root, targetEpoch },
      };
      if (rand() < 0.2 && blocks.has(root)) {
        attestation.attestation.targetRoot =
          o.invalid && rand() < 0.2 ? recentBlock().root : ancestorAt(root, targetEpoch * spe);
      }
      if (rand() < 0.15) attestation.attestation.slot = targetEpoch * spe + int(0, spe - 1);
      if (o.invalid && rand() < 0.05) attestation.attestation.fromBlock = true;
      steps.push(attestation);
    } else if (r < 0.91) {
      steps.push({ kind: "slashing", validators: [int(0, o.validators - 1)] });
    } else if (r < 0.96) {
      steps.push({ kind: "balances", balances: balances() });
    } else {
      tick();
    }
  }
  return {
    config: { slotsPerEpoch: spe, secondsPerSlot, proposerScoreBoost: pick([40, 40, 40, 70, 0]) },
    anchor: { root: anchorRoot, slot: anchorSlot },
    balances: balances(),
    steps,
  };
}
