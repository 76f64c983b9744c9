/** `weft pack`: attestation packing on an abstract instance (format in ../shared/docs/interfaces.md). */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { AttestationError } from "../consensus/attestations/errors.js";
import { evaluateSelection } from "../consensus/attestations/evaluateSelection.js";
import {
  isPackingAlgorithm,
  PACKING_ALGORITHMS,
  packAttestations,
} from "../consensus/attestations/packAttestations.js";
import {
  type ElectraSelection,
  type PackingResult,
  type Phase0Selection,
  parsePackingInstance,
} from "../consensus/attestations/packingInstance.js";
import { CliError } from "./errors.js";
import { parseNonNegativeInt } from "./options.js";
import { formatTable } from "./render.js";

export interface PackCommandOptions {
  algorithm: string;
  deadlineMs?: number;
  json: boolean;
}

/** The documented `--json` object: the contract's fields first, then `upperBound`. */
export function packJson(r: PackingResult): Record<string, unknown> {
  return {
    value: r.value,
    optimal: r.optimal,
    ms: Math.round(r.ms * 100) / 100,
    algorithm: r.algorithm,
    selection: r.selection,
    upperBound: r.upperBound,
  };
}

function humanReport(r: PackingResult, mode: string): string {
  const summary = formatTable(
    ["algorithm", "value", "optimal", "upper bound", "ms", mode === "electra" ? "on-chain aggregates" : "attestations"],
    [[r.algorithm, r.value, r.optimal ? "yes (proved)" : "no", r.upperBound, r.ms.toFixed(2), r.selection.length]],
  );
  const rows =
    mode === "electra"
      ? (r.selection as ElectraSelection[]).flatMap((s) =>
          s.committees.map((c) => [s.group, c.index, c.aggregates.join(" ")]),
        )
      : (r.selection as Phase0Selection[]).map((s) => [s.group, s.committee, String(s.aggregate)]);
  return `${summary}\n\n${formatTable(["group", "committee", "aggregates"], rows)}`;
}

export async function runPack(file: string, options: PackCommandOptions): Promise<number> {
  if (!isPackingAlgorithm(options.algorithm)) {
    throw new CliError("BAD_OPTION", `unknown algorithm "${options.algorithm}"`, {
      details: `choose one of: ${PACKING_ALGORITHMS.join(", ")}`,
    });
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CliError("BAD_OPTION", `cannot read instance ${file}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AttestationError("INSTANCE_MALFORMED", `instance ${file} is not valid JSON`, { cause });
  }
  const instance = parsePackingInstance(json);
  const result = await packAttestations(instance, {
    algorithm: options.algorithm,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  });
  // Re-check the selection against the instance's rules before printing it.
  evaluateSelection(
    instance,
    instance.mode === "electra"
      ? { mode: "electra", selection: result.selection as ElectraSelection[] }
      : { mode: "phase0", selection: result.selection as Phase0Selection[] },
  );
  process.stdout.write(
    options.json ? `${JSON.stringify(packJson(result))}\n` : `${humanReport(result, instance.mode)}\n`,
  );
  return 0;
}

export function registerPack(program: Command): void {
  program
    .command("pack")
    .description("pack attestations into a block: weighted maximum coverage, greedy or exact with a proof")
    .argument("<instance.json>", "a packing instance (mode phase0 or electra, weights, covered, groups)")
    .option("--algorithm <name>", `greedy | exact | ilp (exact as an integer program, HiGHS)`, "exact")
    .option(
      "--deadline-ms <n>",
      "stop searching after N ms and return the best found (default: until proved)",
      parseNonNegativeInt,
    )
    .option("--json", "one JSON object on stdout", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft pack instance.json --json\n  weft pack instance.json --algorithm greedy\n  weft pack instance.json --deadline-ms 50",
    )
    .action(async (file: string, opts: PackCommandOptions) => {
      process.exitCode = await runPack(file, opts);
    });
}
