import { WeftError, type WeftErrorOptions } from "../../shared/errors.js";

export type AttestationErrorCode =
  /** A packing instance is not what `weft pack` documents (field, type, range). */
  | "INSTANCE_MALFORMED"
  /** A selection breaks the instance's rules (unknown group, overlapping aggregates, over the limit). */
  | "SELECTION_INVALID"
  /** The packing algorithm named is not one weft has. */
  | "UNKNOWN_ALGORITHM"
  /** The ILP solver failed or returned a solution that does not check out. */
  | "ILP_FAILED"
  /** An attestation handed to the pool does not fit its committee (bits, index, committee bits). */
  | "ATTESTATION_INVALID"
  /** The pool has no committee for the attestation's slot and index. */
  | "UNKNOWN_COMMITTEE";

export interface AttestationErrorOptions extends WeftErrorOptions {
  /** Where in the instance or selection the problem is, as a JSON path (`groups[2].committees[0]`). */
  path?: string;
}

export class AttestationError extends WeftError<AttestationErrorCode> {
  override readonly name = "AttestationError";
  readonly path: string | undefined;

  constructor(code: AttestationErrorCode, shortMessage: string, options: AttestationErrorOptions = {}) {
    super(code, shortMessage, options);
    this.path = options.path;
  }
}
