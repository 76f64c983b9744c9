/** `weft forkchoice`: runs a fork-choice scenario and prints the head after every step. */
import type { Command } from "commander";
import { loadScenario, runScenario, type ScenarioStepResult } from "../consensus/forkChoice/scenario.js";
import { formatTable } from "./render.js";

export interface ForkChoiceCommandOptions {
  json: boolean;
}

/** The documented `--json` line: step, head, justified, finalized; `ok` on checks, `error` on a refused step. */
export function forkChoiceJsonLine(r: ScenarioStepResult): Record<string, unknown> {
  const line: Record<string, unknown> = { step: r.step, head: r.head, justified: r.justified, finalized: r.finalized };
  if (r.ok !== undefined) line.ok = r.ok;
  if (r.error !== undefined) line.error = r.error;
  return line;
}

function shortRoot(root: string): string {
  return root.length > 14 ? `${root.slice(0, 10)}…${root.slice(-4)}` : root;
}

function resultCell(r: ScenarioStepResult): string {
  const parts: string[] = [];
  if (r.ok === true) parts.push("ok");
  if (r.ok === false) parts.push(`FAIL (expected ${r.expected ?? "?"})`);
  if (r.error !== undefined) parts.push(`refused ${r.error.code}`);
  if (r.queued === true) parts.push("waits for its block");
  return parts.join("; ");
}

/** Runs the scenario and writes its output; resolves to the exit status (1 when a check fails). */
export async function runForkChoiceCommand(file: string, options: ForkChoiceCommandOptions): Promise<number> {
  const scenario = await loadScenario(file);
  const { results, ok } = runScenario(scenario, (r) => {
    if (!options.json) return;
    process.stdout.write(`${JSON.stringify(forkChoiceJsonLine(r))}\n`);
    if (r.ok === false) process.stderr.write(`weft forkchoice: step ${r.step} failed: expected ${r.expected}\n`);
  });
  if (!options.json) {
    const rows = results.map((r) => [r.step, r.kind, shortRoot(r.head), r.justified, r.finalized, resultCell(r)]);
    const failed = results.filter((r) => r.ok === false).length;
    const checks = results.filter((r) => r.ok !== undefined).length;
    process.stdout.write(
      `${formatTable(["step", "kind", "head", "justified", "finalized", "result"], rows)}\n\n` +
        `${checks - failed}/${checks} checks passed\n`,
    );
  }
  return ok ? 0 : 1;
}

export function registerForkChoice(program: Command): void {
  program
    .command("forkchoice")
    .description("run a fork-choice scenario and print the head after every step")
    .argument("<scenario.json>", "scenario file (format: ../shared/docs/interfaces.md, weft forkchoice)")
    .option("--json", "one JSON line per step on stdout", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft forkchoice test/consensus/forkChoice/scenarios/proposer_boost.json --json\n" +
        "  weft forkchoice my-scenario.json",
    )
    .action(async (file: string, opts: ForkChoiceCommandOptions) => {
      process.exitCode = await runForkChoiceCommand(file, opts);
    });
}
