/**
 * Fork-choice scenarios: the file format of `weft forkchoice` (../shared/docs/interfaces.md) and its runner.
 *
 * A scenario names a config, an anchor block, the justified balances and a list of steps (tick, block,
 * attestation, slashing, balances, head check). `parseScenario` checks the whole file up front and names the
 * first field that is wrong; `runScenario` feeds the steps to a `ForkChoice` and reports the head, justified and
 * finalized epochs after each. A block or attestation the fork choice refuses is reported with its error code and
 * the run goes on; a step may carry `"valid": false` (as the consensus spec's fork-choice tests do) to expect the
 * refusal, and a head check may also name the expected `justified` and `finalized` epochs.
 */
import { readFile } from "node:fs/promises";
import { ForkChoiceError } from "./errors.js";
import { ForkChoice, normalizeRoot } from "./forkChoice.js";
import type { AttestationInput, BlockInput, Checkpoint, ForkChoiceConfig, RootHex } from "./types.js";

export interface Scenario {
  config: Partial<ForkChoiceConfig>;
  anchor: { root: RootHex; slot: number };
  balances: bigint[];
  steps: ScenarioStep[];
}

export type ScenarioStep =
  | { kind: "tick"; time: number }
  | { kind: "block"; block: BlockInput; valid?: boolean }
  | { kind: "attestation"; attestation: AttestationInput; valid?: boolean }
  | { kind: "slashing"; validators: number[] }
  | { kind: "balances"; balances: bigint[] }
  | { kind: "head"; root: RootHex; justified?: number; finalized?: number };

export interface ScenarioStepResult {
  step: number;
  kind: ScenarioStep["kind"];
  head: RootHex;
  justified: number;
  finalized: number;
  /** Present for checks: head steps, and steps that carry `valid`. */
  ok?: boolean;
  /** The refusal of a block or attestation. */
  error?: { code: string; message: string };
  /** An attestation whose block is not known yet waits for it. */
  queued?: boolean;
  /** What a failed check expected. */
  expected?: string;
}

function fail(path: string, message: string): never {
  throw new ForkChoiceError("SCENARIO_INVALID", `${path}: ${message}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function integer(x: unknown, path: string): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) fail(path, "expected an integer ≥ 0");
  return x;
}

function root(x: unknown, path: string): RootHex {
  try {
    return normalizeRoot(x, path);
  } catch {
    fail(path, `expected a 0x-prefixed hex root of 1 to 32 bytes, got ${JSON.stringify(x)}`);
  }
}

function checkpoint(x: unknown, path: string): Checkpoint {
  if (!isObject(x)) fail(path, 'expected {"epoch": …, "root": "0x…"}');
  return { epoch: integer(x.epoch, `${path}.epoch`), root: root(x.root, `${path}.root`) };
}

function balanceList(x: unknown, path: string): bigint[] {
  if (!Array.isArray(x)) fail(path, "expected an array of balances in gwei");
  return x.map((b, i) => {
    if (typeof b === "number" && Number.isSafeInteger(b) && b >= 0) return BigInt(b);
    if (typeof b === "string" && /^[0-9]+$/.test(b)) return BigInt(b);
    return fail(`${path}[${i}]`, "expected a whole number of gwei (a number or a decimal string)");
  });
}

function indexList(x: unknown, path: string): number[] {
  if (!Array.isArray(x)) fail(path, "expected an array of validator indices");
  return x.map((v, i) => integer(v, `${path}[${i}]`));
}

function validFlag(step: Record<string, unknown>, path: string): { valid?: boolean } {
  if (step.valid === undefined) return {};
  if (typeof step.valid !== "boolean") fail(`${path}.valid`, "expected true or false");
  return { valid: step.valid };
}

function parseStep(x: unknown, path: string): ScenarioStep {
  if (!isObject(x)) fail(path, "expected an object");
  if ("tick" in x) {
    if (typeof x.tick !== "number" || !Number.isFinite(x.tick) || x.tick < 0)
      fail(`${path}.tick`, "expected seconds ≥ 0");
    return { kind: "tick", time: x.tick };
  }
  if ("block" in x) {
    const b = x.block;
    const p = `${path}.block`;
    if (!isObject(b)) fail(p, "expected an object");
    const block: BlockInput = {
      root: root(b.root, `${p}.root`),
      parent: root(b.parent, `${p}.parent`),
      slot: integer(b.slot, `${p}.slot`),
    };
    for (const key of ["justified", "finalized", "unrealizedJustified", "unrealizedFinalized"] as const) {
      if (b[key] !== undefined) block[key] = checkpoint(b[key], `${p}.${key}`);
    }
    return { kind: "block", block, ...validFlag(x, path) };
  }
  if ("attestation" in x) {
    const a = x.attestation;
    const p = `${path}.attestation`;
    if (!isObject(a)) fail(p, "expected an object");
    const attestation: AttestationInput = {
      validators: indexList(a.validators, `${p}.validators`),
      root: root(a.root, `${p}.root`),
      targetEpoch: integer(a.targetEpoch, `${p}.targetEpoch`),
    };
    if (a.targetRoot !== undefined) attestation.targetRoot = root(a.targetRoot, `${p}.targetRoot`);
    if (a.slot !== undefined) attestation.slot = integer(a.slot, `${p}.slot`);
    if (a.fromBlock !== undefined) {
      if (typeof a.fromBlock !== "boolean") fail(`${p}.fromBlock`, "expected true or false");
      attestation.fromBlock = a.fromBlock;
    }
    return { kind: "attestation", attestation, ...validFlag(x, path) };
  }
  if ("slashing" in x) return { kind: "slashing", validators: indexList(x.slashing, `${path}.slashing`) };
  if ("balances" in x) return { kind: "balances", balances: balanceList(x.balances, `${path}.balances`) };
  if ("head" in x) {
    const step: ScenarioStep = { kind: "head", root: root(x.head, `${path}.head`) };
    if (x.justified !== undefined) step.justified = integer(x.justified, `${path}.justified`);
    if (x.finalized !== undefined) step.finalized = integer(x.finalized, `${path}.finalized`);
    return step;
  }
  fail(path, "expected one of tick, block, attestation, slashing, balances, head");
}

/** Checks a parsed JSON scenario and returns it typed; throws `SCENARIO_INVALID` naming the first bad field. */
export function parseScenario(json: unknown): Scenario {
  if (!isObject(json)) fail("scenario", "expected a JSON object");
  const config: Partial<ForkChoiceConfig> = {};
  if (json.config !== undefined) {
    if (!isObject(json.config)) fail("config", "expected an object");
    const c = json.config;
    if (c.slotsPerEpoch !== undefined) {
      config.slotsPerEpoch = integer(c.slotsPerEpoch, "config.slotsPerEpoch");
      if (config.slotsPerEpoch === 0) fail("config.slotsPerEpoch", "expected at least 1");
    }
    if (c.secondsPerSlot !== undefined) {
      if (typeof c.secondsPerSlot !== "number" || !(c.secondsPerSlot > 0))
        fail("config.secondsPerSlot", "expected > 0");
      config.secondsPerSlot = c.secondsPerSlot;
    }
    if (c.proposerScoreBoost !== undefined) {
      config.proposerScoreBoost = integer(c.proposerScoreBoost, "config.proposerScoreBoost");
    }
  }
  if (!isObject(json.anchor)) fail("anchor", 'expected {"root": "0x…", "slot": …}');
  const anchor = { root: root(json.anchor.root, "anchor.root"), slot: integer(json.anchor.slot, "anchor.slot") };
  const balances = json.balances === undefined ? [] : balanceList(json.balances, "balances");
  if (!Array.isArray(json.steps)) fail("steps", "expected an array");
  const steps = json.steps.map((s, i) => parseStep(s, `steps[${i}]`));
  return { config, anchor, balances, steps };
}

/** Reads and parses a scenario file. */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ForkChoiceError("SCENARIO_INVALID", `cannot read scenario ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ForkChoiceError("SCENARIO_INVALID", `scenario ${path} is not valid JSON`, { cause });
  }
  return parseScenario(json);
}

/** Runs every step and returns one result per step (the head after it). `onStep` sees each as it is produced. */
export function runScenario(
  scenario: Scenario,
  onStep?: (result: ScenarioStepResult) => void,
): { results: ScenarioStepResult[]; ok: boolean; forkChoice: ForkChoice } {
  const fc = new ForkChoice({ config: scenario.config, anchor: scenario.anchor, balances: scenario.balances });
  const results: ScenarioStepResult[] = [];
  let ok = true;
  scenario.steps.forEach((step, i) => {
    let error: ScenarioStepResult["error"];
    let queued = false;
    try {
      switch (step.kind) {
        case "tick":
          fc.onTick(step.time);
          break;
        case "block":
          fc.onBlock(step.block);
          break;
        case "attestation":
          queued = fc.onAttestation(step.attestation) === "queued";
          break;
        case "slashing":
          fc.onAttesterSlashing(step.validators);
          break;
        case "balances":
          fc.setBalances(step.balances);
          break;
        case "head":
          break;
      }
    } catch (err) {
      if (!(err instanceof ForkChoiceError)) throw err;
      error = { code: err.code, message: err.shortMessage };
    }
    const snap = fc.snapshot();
    const result: ScenarioStepResult = {
      step: i,
      kind: step.kind,
      head: snap.head,
      justified: snap.justified.epoch,
      finalized: snap.finalized.epoch,
    };
    if (step.kind === "head") {
      const expected: string[] = [];
      if (snap.head !== step.root) expected.push(`head ${step.root}`);
      if (step.justified !== undefined && snap.justified.epoch !== step.justified) {
        expected.push(`justified ${step.justified}`);
      }
      if (step.finalized !== undefined && snap.finalized.epoch !== step.finalized) {
        expected.push(`finalized ${step.finalized}`);
      }
      result.ok = expected.length === 0;
      if (!result.ok) result.expected = expected.join(", ");
    } else if ((step.kind === "block" || step.kind === "attestation") && step.valid !== undefined) {
      result.ok = (error === undefined) === step.valid;
      if (!result.ok) result.expected = step.valid ? "accepted" : "refused";
    }
    if (error !== undefined) result.error = error;
    if (queued) result.queued = true;
    if (result.ok === false) ok = false;
    results.push(result);
    onStep?.(result);
  });
  return { results, ok, forkChoice: fc };
}
