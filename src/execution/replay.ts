/**
 * `weft replay`'s core: run one fixture through an engine and check gasUsed, logsBloom and (from Byzantium)
 * receiptsRoot against the block header. A fixture that fails is a result with `error`, never a throw, so one
 * bad file cannot stop the others.
 */
import { bytesToHex } from "@ethereumjs/util";
import { describeCause } from "../shared/errors.js";
import { toQuantity } from "../shared/hex.js";
import type { ReplayEngine } from "./engine.js";
import { ExecutionError } from "./errors.js";
import { loadFixture } from "./fixture.js";

/** Byzantium: receipts carry a status code instead of an intermediate state root from this block on. */
export const BYZANTIUM_BLOCK = 4_370_000;

export interface ReplayResult {
  file: string;
  number?: number;
  txs?: number;
  gasUsed?: string;
  receiptsRoot?: string;
  logsBloom?: string;
  ok: boolean;
  engine: string;
  threads: number;
  ms?: number;
  mgasPerSec?: number;
  fallbacks?: number;
  /** What went wrong, when the fixture could not be replayed or a field did not match. */
  error?: string;
  /** Header fields the engine did not reproduce. */
  mismatches?: string[];
  /** The failing transaction's index, where known. */
  txIndex?: number;
}

export interface ReplayOptions {
  engine: ReplayEngine;
  threads: number;
}

export async function replayFile(file: string, options: ReplayOptions): Promise<ReplayResult> {
  const base = { file, engine: options.engine.name, threads: options.threads };
  try {
    const fixture = await loadFixture(file);
    const prepared = await options.engine.prepare(fixture, file);
    const start = performance.now();
    const result = await prepared.run();
    const ms = performance.now() - start;

    const header = fixture.block;
    const gasUsed = toQuantity(result.gasUsed);
    const receiptsRoot = bytesToHex(result.receiptsRoot);
    const logsBloom = bytesToHex(result.logsBloom);
    const mismatches: string[] = [];
    if (result.gasUsed !== BigInt(header.gasUsed)) mismatches.push("gasUsed");
    if (fixture.number >= BYZANTIUM_BLOCK && receiptsRoot !== header.receiptsRoot.toLowerCase()) {
      mismatches.push("receiptsRoot");
    }
    if (logsBloom !== header.logsBloom.toLowerCase()) mismatches.push("logsBloom");
    const out: ReplayResult = {
      ...base,
      number: fixture.number,
      txs: prepared.txCount,
      gasUsed,
      receiptsRoot,
      logsBloom,
      ok: mismatches.length === 0,
      ms: round(ms, 1),
      mgasPerSec: ms > 0 ? round(Number(result.gasUsed) / 1e3 / ms, 1) : 0,
      fallbacks: result.fallbacks,
    };
    if (mismatches.length > 0) {
      out.mismatches = mismatches;
      out.error = `block ${fixture.number}: ${mismatches.join(", ")} differ from the header`;
    }
    return out;
  } catch (cause) {
    const out: ReplayResult = { ...base, ok: false, error: describeError(cause) };
    if (cause instanceof ExecutionError && cause.txIndex !== undefined) out.txIndex = cause.txIndex;
    return out;
  }
}

function describeError(cause: unknown): string {
  if (cause instanceof ExecutionError) {
    const inner = describeCause(cause.cause);
    return inner === undefined ? cause.shortMessage : `${cause.shortMessage}: ${inner}`;
  }
  return describeCause(cause) ?? "unknown error";
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
