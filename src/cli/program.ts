/** The `weft` command: one subcommand per job, each with its own `--help`. */
import { Command, CommanderError } from "commander";
import { WeftError } from "../shared/errors.js";
import { registerBacktest } from "./backtest.js";
import { registerBenchExec } from "./benchExec.js";
import { registerBuilder } from "./builder.js";
import { registerForkChoice } from "./forkchoice.js";
import { registerPack } from "./pack.js";
import { registerReplay, runReplay } from "./replay.js";

export const VERSION = "0.1.0";

export function createProgram(): Command {
  const program = new Command("weft")
    .description("weft: a distributed, parallel Ethereum block builder")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true);

  program
    .command("start")
    .description("run the main job (until the devnet exists: replay every shared mainnet block and print the table)")
    .action(async () => {
      process.exitCode = await runReplay([], { engine: "weft", threads: 1, json: false });
    });

  registerReplay(program);
  registerBenchExec(program);
  registerForkChoice(program);
  registerPack(program);
  registerBuilder(program);
  registerBacktest(program);
  return program;
}

/** Parses `argv` (as `process.argv`) and runs the command; resolves to the exit status, never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof WeftError) {
      process.stderr.write(`weft: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `weft: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
