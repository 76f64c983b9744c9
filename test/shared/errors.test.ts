import { describe, expect, test } from "vitest";
import { ExecutionError } from "../../src/execution/errors.js";
import { describeCause, WeftError } from "../../src/shared/errors.js";

describe("WeftError", () => {
  test("carries code, short message, details and cause", () => {
    const cause = new Error("disk on fire");
    const err = new WeftError("SOME_CODE", "could not do the thing", { details: "while doing X", cause });
    expect(err.code).toBe("SOME_CODE");
    expect(err.shortMessage).toBe("could not do the thing");
    expect(err.details).toBe("while doing X");
    expect(err.cause).toBe(cause);
    expect(err.message).toBe("could not do the thing\nDetails: while doing X\nCause: disk on fire");
    expect(err).toBeInstanceOf(Error);
  });

  test("domain errors keep their extra data", () => {
    const err = new ExecutionError("TX_DECODE_FAILED", "tx 3 is bad", { file: "a.json.gz", txIndex: 3 });
    expect(err).toBeInstanceOf(WeftError);
    expect(err.name).toBe("ExecutionError");
    expect(err.txIndex).toBe(3);
    expect(err.file).toBe("a.json.gz");
  });

  test("describeCause handles anything thrown", () => {
    expect(describeCause(undefined)).toBeUndefined();
    expect(describeCause("plain")).toBe("plain");
    expect(describeCause(new WeftError("X", "short", { details: "long" }))).toBe("short");
  });
});
