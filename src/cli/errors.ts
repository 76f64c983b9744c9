import { WeftError } from "../shared/errors.js";

export type CliErrorCode = "BAD_OPTION" | "NOT_AVAILABLE";

/** A command-line usage error: printed with the command's name, exit status 2. */
export class CliError extends WeftError<CliErrorCode> {
  override readonly name = "CliError";
}
