/**
 * Where the project's shared material lives (docs, mainnet fixtures, spec vectors): `$WEFT_SHARED` when set,
 * else `../shared` beside the repository root. Tests, benchmarks and `weft` defaults all resolve it here.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this module that holds weft's package.json. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("weft: cannot find the repository root above this module");
    dir = parent;
  }
}

export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.WEFT_SHARED;
  if (override !== undefined && override !== "") return resolve(override);
  return resolve(repositoryRoot(), "..", "shared");
}

export function sharedPath(...parts: string[]): string {
  return join(sharedDir(), ...parts);
}

export function mainnetBlocksDir(): string {
  return sharedPath("fixtures", "mainnet-blocks");
}
