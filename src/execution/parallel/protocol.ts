/** Messages between the committing thread and parallel-execution workers. */
import type { MessagePort } from "node:worker_threads";
import type { RecoveryTable } from "../crypto/recoveryTable.js";
import type { PortableTx } from "./portableTx.js";
import type { SpeculativeResult } from "./speculate.js";
import type { StateDiff } from "./stateDiff.js";

export interface BlockTask {
  blockId: number;
  hardfork: string;
  /** The committing thread's chain id: transactions arrive decoded, so the worker's Common must be on it. */
  chainId: bigint;
  needsKzg: boolean;
  /** RLP of the block header. */
  header: Uint8Array;
  /** The number of transactions in the block. */
  txCount: number;
  /**
   * The block's last transactions, [firstTx, txCount), as decoded fields (see `portableTx.ts`), null for one
   * reserved for in-order execution. The rest follow as `TxChunk`s on the commit port, a chunk before the
   * workers need it: they claim from the back and meet the committing thread somewhere in the middle, so most of
   * a block's front half never has to be copied to them.
   */
  firstTx: number;
  txs: Array<PortableTx | null>;
  blockHashes: Record<string, string>;
  /** Changes made before the transactions (system calls), to apply over the replica. */
  preDiff: StateDiff;
  /** The coinbase's address key when its fee credit is lazy. */
  coinbaseKey: string | undefined;
  /**
   * Int32Array over it: [0] the next index to claim from the back (starts at n), [1..n] claims (0 free,
   * 1 committing thread, 2 worker, 3 reserved for in-order execution), [n+1..2n] done flags, [2n+1] the first
   * transaction shipped to the workers (`SHIPPED_FROM`).
   */
  shared: SharedArrayBuffer;
  /** The block's senders as the recovery thread fills them in, where it runs: pinned before speculating. */
  senders: RecoveryTable | undefined;
  /** Each transaction's contract as a small integer (`HotTargets.targetIds`), for the worker's `SelfConflicts`. */
  targets: Int32Array;
  /**
   * Where access sets are known ahead (`ExecuteParallelOptions.known`): per transaction, the last one before it
   * that writes something it reads, or −1 (`lastWritersBefore`). A worker leaves a transaction to in-order
   * execution rather than speculate it on a state that lacks that write.
   */
  after: Int32Array | undefined;
}

export type WorkerMessage =
  /** `port` carries messages, `ring` (a `ResultRing`'s buffer) the results that fit in it. */
  | { kind: "init"; port: MessagePort; ring: SharedArrayBuffer }
  | { kind: "state"; snapshot: StateDiff }
  | { kind: "diff"; diff: StateDiff }
  | { kind: "block"; task: BlockTask; commits: MessagePort }
  /** Answered with a message on the worker's own port once everything before it is handled. */
  | { kind: "sync" };

/** A committed transaction's effect, streamed to the workers so their speculation sees the block so far. */
export interface CommitMessage {
  kind: "commit";
  blockId: number;
  /** The transaction's index: after applying it a replica holds transactions [0, index + 1). */
  index: number;
  diff: StateDiff;
}

/** More of the block's transactions, [from, from + txs.length), as `BlockTask.txs` carries them. */
export interface TxChunk {
  kind: "txs";
  blockId: number;
  from: number;
  txs: Array<PortableTx | null>;
}

/** The index in `BlockTask.shared` of the first transaction shipped so far. */
export const shippedFromSlot = (txCount: number): number => 1 + 2 * txCount;

export type ResultMessage =
  | { kind: "result"; blockId: number; result: SpeculativeResult }
  /** A result as `encodeResult` packs it (its buffer transferred), when it did not fit in the worker's ring. */
  | { kind: "packed"; blockId: number; bytes: Uint8Array }
  /**
   * The worker claims no more of the block; it held back `heldBack` transactions itself (`SelfConflicts`) and left
   * `deferred` to in-order execution because a write they read, known ahead, had not reached it (`BlockTask.after`),
   * and was busy `busyMs` milliseconds on the block (its time on it less its waits for transactions to be shipped).
   */
  | { kind: "stopped"; blockId: number; heldBack: number; deferred: number; busyMs: number }
  | { kind: "error"; blockId: number; message: string };
