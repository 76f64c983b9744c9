import { WeftError } from "../../shared/errors.js";

export type WorkloadErrorCode =
  /** The options name no known kind, or a size, seed or conflict rate out of range. */
  | "INVALID_OPTIONS"
  /** A private key derived for the workload, or a signature made with it, was rejected by secp256k1. */
  | "SIGNING_FAILED"
  /** The hand-assembled bytecode of a workload contract is malformed (an unknown opcode or label). */
  | "ASSEMBLY_FAILED";

export class WorkloadError extends WeftError<WorkloadErrorCode> {
  override readonly name = "WorkloadError";
}
