#!/usr/bin/env node
// `npm run bench -- <name> [args] [--node-flags=<flags>]`: runs bench/<name>.bench.ts in its own Node process
// (through tsx), so each benchmark starts from a fresh heap. With no name it lists the benchmarks.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const benchDir = join(root, "bench");
const names = readdirSync(benchDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length))
  .sort();
const [name, ...args] = process.argv.slice(2);
// The benchmark's Node process runs with weft's runtime flags (package.json `weft.nodeFlags`, as `npm start` and
// the `weft` command do): a benchmark measures what runs. `--node-flags=<flags>` (space-separated) replaces them,
// V8's included, which cannot be set once a process runs; `--node-flags=` alone runs with Node's defaults.
const runtimeFlags = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).weft.nodeFlags;
const given = args.filter((a) => a.startsWith("--node-flags="));
const nodeFlags =
  given.length === 0 ? runtimeFlags : given.flatMap((a) => a.slice("--node-flags=".length).split(" ").filter(Boolean));
const rest = args.filter((a) => !a.startsWith("--node-flags="));
if (name === undefined || name === "--help" || name === "-h") {
  console.log(
    `usage: npm run bench -- <name> [args] [--node-flags=<flags>]\n\nNode flags by default: ${runtimeFlags.join(" ")} (weft's runtime flags)\n\nbenchmarks:\n${names.map((n) => `  ${n}`).join("\n")}`,
  );
  process.exit(name === undefined ? 1 : 0);
}
const file = join(benchDir, `${name}.bench.ts`);
if (!existsSync(file)) {
  console.error(`bench: no benchmark "${name}"; choose one of: ${names.join(", ")}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--expose-gc", ...nodeFlags, "--import", "tsx", file, ...rest], {
  stdio: "inherit",
  cwd: root,
});
process.exit(r.status ?? 1);
