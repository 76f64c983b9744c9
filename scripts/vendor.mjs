#!/usr/bin/env node
// Installs the test-only references that live outside weft's own npm tree (test/vendor/*), from their lock files,
// when they are not installed yet. Run by `npm test` (pretest) and `npm run vendor`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const vendor = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "vendor");
for (const name of readdirSync(vendor)) {
  const dir = join(vendor, name);
  if (!existsSync(join(dir, "package.json")) || existsSync(join(dir, "node_modules"))) continue;
  console.error(`vendor: installing ${name}`);
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
