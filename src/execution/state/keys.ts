/**
 * Map keys for the flat state: lowercase hex without `0x`. Addresses and slots arrive as bytes on every EVM
 * access, so the conversion runs on a lookup table instead of `toString(16)` per byte.
 */
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function bytesKey(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i] as number];
  return out;
}

const HEX_VALUES = new Map<string, number>(HEX_PAIRS.map((pair, i) => [pair, i]));

export function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = HEX_VALUES.get(key.slice(2 * i, 2 * i + 2)) as number;
  return out;
}
