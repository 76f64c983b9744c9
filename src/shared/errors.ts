/**
 * The one error base of weft: a machine-readable `code`, a short message a person can act on, optional
 * details and the underlying cause. Each domain narrows `code` to its own union (see `execution/errors.ts`),
 * so callers branch on codes and never on message text.
 */
export interface WeftErrorOptions {
  /** More context, printed under the short message. */
  details?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

export class WeftError<Code extends string = string> extends Error {
  override readonly name: string = "WeftError";
  readonly code: Code;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: Code, shortMessage: string, options: WeftErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.details !== undefined) lines.push(`Details: ${options.details}`);
    const causeMessage = describeCause(options.cause);
    if (causeMessage !== undefined && causeMessage !== options.details) lines.push(`Cause: ${causeMessage}`);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** The message of anything thrown, for errors that wrap a foreign one. */
export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof WeftError) return cause.shortMessage;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
