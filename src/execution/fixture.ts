/**
 * Mainnet block fixtures (`../shared/fixtures/README.md`): a block as `eth_getBlockByNumber(n, true)` returns
 * it, the pre-state of every account it touches, and the ancestor hashes BLOCKHASH asks for.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { ExecutionError } from "./errors.js";

const gunzipAsync = promisify(gunzip);

export interface FixtureAccount {
  balance: string;
  nonce: number | string;
  code: string;
  storage: Record<string, string>;
}

/** A transaction as JSON-RPC returns it. */
export type RpcTransaction = Record<string, unknown> & { type?: string; hash?: string };

export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  miner: string;
  gasLimit: string;
  gasUsed: string;
  timestamp: string;
  receiptsRoot: string;
  logsBloom: string;
  transactions: RpcTransaction[];
  withdrawals?: Array<{ index: string; validatorIndex: string; address: string; amount: string }>;
  [field: string]: unknown;
}

export interface BlockFixture {
  number: number;
  block: RpcBlock;
  preState: Record<string, FixtureAccount>;
  blockHashes: Record<string, string>;
}

/** Reads and checks one `<number>.json.gz` fixture. */
export async function loadFixture(file: string): Promise<BlockFixture> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (cause) {
    throw new ExecutionError("FIXTURE_UNREADABLE", `cannot read fixture ${file}`, { file, cause });
  }
  let text: string;
  try {
    text = file.endsWith(".gz") ? (await gunzipAsync(raw)).toString("utf8") : raw.toString("utf8");
  } catch (cause) {
    throw new ExecutionError("FIXTURE_UNREADABLE", `fixture ${file} is not valid gzip`, { file, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ExecutionError("FIXTURE_MALFORMED", `fixture ${file} is not valid JSON`, { file, cause });
  }
  return checkFixture(json, file);
}

function checkFixture(json: unknown, file: string): BlockFixture {
  const fail = (what: string): never => {
    throw new ExecutionError("FIXTURE_MALFORMED", `fixture ${file}: ${what}`, { file });
  };
  if (typeof json !== "object" || json === null) return fail("top level is not an object");
  const f = json as Record<string, unknown>;
  const block = f.block as Record<string, unknown> | undefined;
  if (typeof block !== "object" || block === null) return fail("missing `block`");
  for (const field of ["number", "gasUsed", "gasLimit", "timestamp", "miner", "logsBloom", "receiptsRoot"]) {
    if (typeof block[field] !== "string") fail(`block.${field} is missing or not a hex string`);
  }
  if (!Array.isArray(block.transactions)) fail("block.transactions is not an array");
  if (typeof f.preState !== "object" || f.preState === null) fail("missing `preState`");
  const number = typeof f.number === "number" ? f.number : Number(block.number);
  return {
    number,
    block: block as unknown as RpcBlock,
    preState: f.preState as Record<string, FixtureAccount>,
    blockHashes: (f.blockHashes ?? {}) as Record<string, string>,
  };
}

/**
 * Expands the arguments of `weft replay`: a directory means every `*.json.gz` in it, sorted by block number;
 * a path that does not exist is kept, so that loading it reports the error in its place.
 */
export async function expandFixturePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => n.endsWith(".json.gz"));
      names.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));
      out.push(...names.map((n) => join(path, n)));
    } else {
      out.push(path);
    }
  }
  return out;
}
