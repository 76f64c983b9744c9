/** Strict parsing of path parameters and headers: anything malformed is an INVALID_PARAMS error (a 400). */
import { ApiError } from "./errors.js";

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A slot or other uint64 given in decimal, as a safe JavaScript integer. */
export function parseUint(value: unknown, name: string): number {
  if (typeof value !== "string" || !DECIMAL.test(value) || value.length > 16) {
    throw new ApiError("INVALID_PARAMS", `${name} must be a decimal unsigned integer`, {
      details: `got ${JSON.stringify(String(value).slice(0, 80))}`,
    });
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new ApiError("INVALID_PARAMS", `${name} is too large`);
  return n;
}

/** `0x` followed by exactly `bytes` bytes of hex, as lowercase hex (with `0x`) and bytes. */
export function parseHexBytes(value: unknown, bytes: number, name: string): { hex: string; bytes: Uint8Array } {
  if (typeof value !== "string" || value.length !== 2 + 2 * bytes || !/^0x[0-9a-fA-F]*$/.test(value)) {
    throw new ApiError("INVALID_PARAMS", `${name} must be 0x followed by ${bytes} bytes of hex`, {
      details: `got ${JSON.stringify(String(value).slice(0, 120))}`,
    });
  }
  const hex = value.toLowerCase();
  return { hex, bytes: Uint8Array.from(Buffer.from(hex.slice(2), "hex")) };
}

/** An optional header holding a decimal integer (`X-Timeout-Ms`, `Date-Milliseconds`). */
export function parseUintHeader(value: string | string[] | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ApiError("INVALID_PARAMS", `${name} is given more than once`);
  return parseUint(value.trim(), name);
}
