import { WeftError, type WeftErrorOptions } from "../shared/errors.js";

export type ExecutionErrorCode =
  /** The fixture file is missing or cannot be read or un-gzipped. */
  | "FIXTURE_UNREADABLE"
  /** The fixture's JSON is malformed or lacks a field the replay needs. */
  | "FIXTURE_MALFORMED"
  /** A transaction of the block cannot be decoded. */
  | "TX_DECODE_FAILED"
  /** The block header cannot be decoded. */
  | "HEADER_DECODE_FAILED"
  /** A pre-state account cannot be built. */
  | "STATE_BUILD_FAILED"
  /** The engine failed on the block as a whole. */
  | "BLOCK_EXECUTION_FAILED";

export interface ExecutionErrorOptions extends WeftErrorOptions {
  /** The fixture file the error is about. */
  file?: string;
  /** The transaction's index in its block. */
  txIndex?: number;
  /** The account the error is about. */
  account?: string;
}

export class ExecutionError extends WeftError<ExecutionErrorCode> {
  override readonly name = "ExecutionError";
  readonly file: string | undefined;
  readonly txIndex: number | undefined;
  readonly account: string | undefined;

  constructor(code: ExecutionErrorCode, shortMessage: string, options: ExecutionErrorOptions = {}) {
    super(code, shortMessage, options);
    this.file = options.file;
    this.txIndex = options.txIndex;
    this.account = options.account;
  }
}
