/** `weft bench-exec`: a generated workload executed sequentially and in parallel, compared. */
import { availableParallelism as cores } from "node:os";
import type { Command } from "commander";
import { generateWorkload, WORKLOAD_KINDS, type WorkloadKind } from "../devnet/workloads/index.js";
import { SenderRecovery } from "../execution/crypto/senderRecovery.js";
import { type AccessMode, compareExecution, type SenderMode } from "../execution/parallel/compareExecution.js";
import { WorkerPool } from "../execution/parallel/pool.js";
import { toQuantity } from "../shared/hex.js";
import { CliError } from "./errors.js";
import { parseNonNegativeInt, parsePositiveInt } from "./options.js";
import { formatTable } from "./render.js";

/** The documented names, plus the many-instance hash actor. */
const WORKLOADS: readonly string[] = WORKLOAD_KINDS;

export interface BenchExecOptions {
  workload: string;
  txs: number;
  threads: number;
  seed: number;
  conflictRate?: number;
  rounds: number;
  senders: SenderMode;
  access: AccessMode;
  json: boolean;
}

export async function runBenchExec(options: BenchExecOptions): Promise<number> {
  if (!WORKLOADS.includes(options.workload)) {
    throw new CliError("BAD_OPTION", `unknown workload "${options.workload}"`, {
      details: `choose one of: ${WORKLOADS.join(", ")}`,
    });
  }
  if (options.threads < 2) {
    throw new CliError("BAD_OPTION", "--threads must be at least 2 to compare with parallel execution", {
      details: "N threads are this thread and N − 1 workers",
    });
  }
  if (!options.json) process.stderr.write(`generating ${options.txs} ${options.workload} transactions…\n`);
  const workload = await generateWorkload({
    kind: options.workload as WorkloadKind,
    txs: options.txs,
    seed: options.seed,
    ...(options.conflictRate === undefined ? {} : { conflictRate: options.conflictRate }),
  });
  const pool = new WorkerPool({ size: options.threads - 1 });
  const senderRecovery = options.senders === "thread" ? new SenderRecovery() : undefined;
  try {
    await senderRecovery?.ready();
    if (!options.json) process.stderr.write(`executing (${options.rounds} rounds)…\n`);
    const r = await compareExecution({
      common: workload.common,
      base: workload.base,
      block: workload.block,
      pool,
      ...(senderRecovery === undefined ? {} : { senderRecovery }),
      senders: options.senders,
      access: options.access,
      rounds: options.rounds,
    });
    const line = {
      workload: options.workload,
      txs: r.txs,
      gas: toQuantity(r.gas),
      threads: options.threads,
      seqMs: round1(r.seqMs),
      parMs: round1(r.parMs),
      speedup: Math.round(r.speedup * 100) / 100,
      speedupMedian: Math.round(r.speedupMedian * 100) / 100,
      availableParallelism: round1(r.availableParallelism),
      identical: r.identical,
      conflictRate: workload.conflictRate,
      seed: workload.seed,
      fallbacks: r.fallbacks,
      senders: options.senders,
      access: options.access,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      process.stdout.write(
        `${workload.description}\n\n${formatTable(
          [
            "workload",
            "txs",
            "Mgas",
            "threads",
            "seq ms",
            "par ms",
            "speedup",
            "median of rounds",
            "avail. parallelism",
            "identical",
          ],
          [
            [
              line.workload,
              line.txs,
              (Number(r.gas) / 1e6).toFixed(1),
              line.threads,
              line.seqMs,
              line.parMs,
              line.speedup,
              line.speedupMedian,
              line.availableParallelism,
              line.identical ? "yes" : "NO",
            ],
          ],
        )}\n`,
      );
    }
    return r.identical ? 0 : 1;
  } finally {
    await Promise.all([pool.close(), senderRecovery?.close()]);
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function parseSenders(value: string): SenderMode {
  if (value !== "recovered" && value !== "thread" && value !== "known") {
    throw new CliError("BAD_OPTION", `unknown --senders "${value}"`, { details: "choose recovered, thread or known" });
  }
  return value;
}

function parseAccess(value: string): AccessMode {
  if (value !== "none" && value !== "known") {
    throw new CliError("BAD_OPTION", `unknown --access "${value}"`, { details: "choose none or known" });
  }
  return value;
}

function parseRate(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x < 0 || x > 1)
    throw new CliError("BAD_OPTION", "--conflict-rate must be between 0 and 1");
  return x;
}

export function registerBenchExec(program: Command): void {
  program
    .command("bench-exec")
    .description("generate a workload block and execute it sequentially and in parallel, compared")
    .requiredOption("--workload <kind>", `one of: ${WORKLOADS.join(", ")}`)
    .option("--txs <n>", "transactions in the block", parsePositiveInt, 2000)
    .option(
      "--threads <n>",
      "executing threads for the parallel run (this one and N − 1 workers)",
      parsePositiveInt,
      Math.max(2, cores()),
    )
    .option("--seed <s>", "generator seed", parseNonNegativeInt, 1)
    .option(
      "--conflict-rate <x>",
      "share of transactions touching shared state (0..1; default per workload)",
      parseRate,
    )
    .option("--rounds <n>", "timed runs of each; the best is reported", parsePositiveInt, 3)
    .option(
      "--senders <mode>",
      "recovered: each run's own threads recover the senders; thread: a recovery thread beside each run; known: recovered once before the clock (a builder's orders)",
      parseSenders,
      "recovered",
    )
    .option(
      "--access <mode>",
      "none: nothing known ahead (a block replayed); known: every transaction's read and write sets, from the untimed reference run, steer the workers (a builder's simulated orders)",
      parseAccess,
      "none",
    )
    .option("--json", "one JSON line on stdout", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft bench-exec --workload erc20 --txs 5000 --threads 2 --json\n  weft bench-exec --workload uniswap-hot --conflict-rate 0.5\n  weft bench-exec --workload erc20 --senders known\n  weft bench-exec --workload mixed --senders known --access known",
    )
    .action(async (opts: BenchExecOptions) => {
      process.exitCode = await runBenchExec(opts);
    });
}
