/**
 * Loads the SIMD swap kernel (`kernel.wat`, embedded as `kernelWasm.ts`) and gives each whole-list shuffle its own
 * instance, sized to the list, so the memory goes with the shuffle rather than staying with the process.
 */
import { KERNEL_WASM_BASE64 } from "./kernelWasm.js";

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => KernelModule;
  Instance: new (module: KernelModule, imports: object) => { exports: unknown };
}
/** A compiled kernel (a WebAssembly.Module). */
export interface KernelModule {
  readonly __kernelModule?: never;
}

export interface ShuffleKernel {
  /** The kernel's memory: the list at byte 0, then the round's source hashes. */
  readonly memory: WasmMemory;
  /** Swap the pairs (i + k, j - k), k < count, whose bit (j - k) is set in the bit stream at byte `bits`. */
  segment(x: number, bits: number, i: number, j: number, count: number): void;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const PAGE = 65536;

let compiled: KernelModule | null | undefined;

/** The compiled kernel, or null where this runtime has no WebAssembly SIMD (then the JavaScript path runs). */
export function kernelModule(): KernelModule | null {
  if (compiled === undefined) {
    const bytes = new Uint8Array(Buffer.from(KERNEL_WASM_BASE64, "base64"));
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** A fresh kernel instance whose memory holds at least `bytes` bytes. */
export function createKernel(module: KernelModule, bytes: number): ShuffleKernel {
  const kernel = new wasm.Instance(module, {}).exports as ShuffleKernel;
  const pages = Math.ceil(bytes / PAGE);
  const have = kernel.memory.buffer.byteLength / PAGE;
  if (pages > have) kernel.memory.grow(pages - have);
  return kernel;
}
