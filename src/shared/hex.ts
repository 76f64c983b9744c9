/** Hex helpers for the `0x`-prefixed strings of JSON-RPC and the fixtures. */
import type { PrefixedHexString } from "@ethereumjs/util";

export type Hex = PrefixedHexString;

const HEX_CHARS = /^0x[0-9a-fA-F]*$/;

export function isHex(value: unknown): value is Hex {
  return typeof value === "string" && HEX_CHARS.test(value);
}

/** A bigint as a JSON-RPC quantity: `0x` then hex digits without leading zeros (`0x0` for zero). */
export function toQuantity(value: bigint | number): Hex {
  return `0x${value.toString(16)}`;
}

/** A JSON-RPC quantity ("0x1f", also unpadded or empty "0x") as a bigint. */
export function fromQuantity(value: string): bigint {
  if (!isHex(value)) throw new TypeError(`not a hex quantity: ${JSON.stringify(value)}`);
  return value === "0x" ? 0n : BigInt(value);
}

/** Left-pads a hex string (with or without `0x`) to `bytes` bytes. */
export function padHex(value: string, bytes: number): Hex {
  const digits = value.startsWith("0x") ? value.slice(2) : value;
  return `0x${digits.padStart(bytes * 2, "0")}`;
}
