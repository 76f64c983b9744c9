/**
 * What every execution engine gives the replay: a block is first prepared (decoded, pre-state built: not
 * timed), then run (timed, from the decoded block with senders not yet recovered until its receipts are known).
 */
import type { BlockFixture } from "./fixture.js";

export type EngineName = "weft" | "stock";

export interface BlockRunResult {
  gasUsed: bigint;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  /** Transactions the parallel executor handed back to sequential execution. */
  fallbacks: number;
}

export interface PreparedBlock {
  readonly number: number;
  readonly txCount: number;
  run(): Promise<BlockRunResult>;
}

export interface ReplayEngine {
  readonly name: EngineName;
  prepare(fixture: BlockFixture, file?: string): Promise<PreparedBlock>;
}
