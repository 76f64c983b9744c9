/**
 * The embedded WebAssembly (`kernelWasm.ts`) must be exactly what `kernel.wat` and `sha256x4.wat` compile to. With
 * `WEFT_WRITE_KERNEL=1` this test rewrites the embedded copy instead of comparing (like a snapshot update).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import wabtInit from "wabt";
import { KERNEL_WASM_BASE64, SHA256X4_WASM_BASE64 } from "../../../src/consensus/shuffle/kernelWasm.js";

const dir = new URL("../../../src/consensus/shuffle/", import.meta.url);
const tsPath = fileURLToPath(new URL("kernelWasm.ts", dir));

async function compile(name: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat(name, readFileSync(fileURLToPath(new URL(name, dir)), "utf8"), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

function base64Lines(bytes: Uint8Array): string {
  const lines =
    Buffer.from(bytes)
      .toString("base64")
      .match(/.{1,100}/g) ?? [];
  return `${lines.map((l) => `  "${l}"`).join(" +\n")};`;
}

function renderModule(kernel: Uint8Array, sha: Uint8Array): string {
  return [
    "// Generated from kernel.wat and sha256x4.wat by test/consensus/shuffle/kernel.test.ts (WEFT_WRITE_KERNEL=1).",
    "// Do not edit.",
    "export const KERNEL_WASM_BASE64 =",
    base64Lines(kernel),
    "",
    "export const SHA256X4_WASM_BASE64 =",
    base64Lines(sha),
    "",
  ].join("\n");
}

test("kernelWasm.ts is kernel.wat and sha256x4.wat compiled", async () => {
  const kernel = await compile("kernel.wat");
  const sha = await compile("sha256x4.wat");
  if (process.env.WEFT_WRITE_KERNEL === "1") {
    writeFileSync(tsPath, renderModule(kernel, sha));
    expect(readFileSync(tsPath, "utf8")).toBe(renderModule(kernel, sha));
    return;
  }
  expect(KERNEL_WASM_BASE64).toBe(Buffer.from(kernel).toString("base64"));
  expect(SHA256X4_WASM_BASE64).toBe(Buffer.from(sha).toString("base64"));
});
