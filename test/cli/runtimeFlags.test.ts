/**
 * weft's runtime flags (package.json `weft.nodeFlags`) are written in three places that must agree: the `weft`
 * command's shebang, `npm start`, and the benchmarks' launcher, which reads them from package.json so that a
 * benchmark measures what runs.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { repositoryRoot } from "../../src/shared/sharedDir.js";

const run = promisify(execFile);
const root = repositoryRoot();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  weft: { nodeFlags: string[] };
};
const flags = pkg.weft.nodeFlags;

test("the runtime flags are Node options this Node accepts", async () => {
  expect(flags.length).toBeGreaterThan(0);
  for (const flag of flags) expect(flag).toMatch(/^--[a-z0-9-]+(=\S+)?$/);
  const { stdout } = await run(process.execPath, [
    ...flags,
    "-e",
    "process.stdout.write(JSON.stringify(process.execArgv))",
  ]);
  expect((JSON.parse(stdout) as string[]).slice(0, flags.length)).toEqual(flags);
  // A flag Node does not know is refused, so the check above can fail.
  await expect(run(process.execPath, ["--single-threaded-gcc", "-e", "0"])).rejects.toThrow(/bad option/);
});

test("the weft command, npm start and the benchmarks run with the same flags", async () => {
  const shebang = readFileSync(join(root, "src/cli/main.ts"), "utf8").split("\n")[0];
  expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(" ")}`);
  expect(pkg.scripts.start).toBe(`node ${flags.join(" ")} dist/cli/main.js start`);
  const { stdout } = await run(process.execPath, [join(root, "scripts/bench.mjs"), "--help"], { cwd: root });
  expect(stdout).toContain(`Node flags by default: ${flags.join(" ")}`);
});
