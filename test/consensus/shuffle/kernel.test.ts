/**
 * The embedded swap kernel (`kernelWasm.ts`) must be exactly what `kernel.wat` compiles to. With
 * `WEFT_WRITE_KERNEL=1` this test rewrites the embedded copy instead of comparing (like a snapshot update).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import wabtInit from "wabt";
import { KERNEL_WASM_BASE64 } from "../../../src/consensus/shuffle/kernelWasm.js";

const watPath = fileURLToPath(new URL("../../../src/consensus/shuffle/kernel.wat", import.meta.url));
const tsPath = fileURLToPath(new URL("../../../src/consensus/shuffle/kernelWasm.ts", import.meta.url));

async function compileKernel(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("kernel.wat", readFileSync(watPath, "utf8"), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

function renderModule(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines = b64.match(/.{1,100}/g) ?? [];
  return [
    "// Generated from kernel.wat by test/consensus/shuffle/kernel.test.ts (WEFT_WRITE_KERNEL=1). Do not edit.",
    "export const KERNEL_WASM_BASE64 =",
    `${lines.map((l) => `  "${l}"`).join(" +\n")};`,
    "",
  ].join("\n");
}

test("kernelWasm.ts is kernel.wat compiled", async () => {
  const bytes = await compileKernel();
  if (process.env.WEFT_WRITE_KERNEL === "1") {
    writeFileSync(tsPath, renderModule(bytes));
    expect(readFileSync(tsPath, "utf8")).toBe(renderModule(bytes));
    return;
  }
  expect(KERNEL_WASM_BASE64).toBe(Buffer.from(bytes).toString("base64"));
});
