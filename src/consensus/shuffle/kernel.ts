/**
 * Loads the shuffle's two WebAssembly SIMD modules (embedded as `kernelWasm.ts`) and gives each whole-list shuffle
 * its own instance of both over one memory, sized to the list, so the memory goes with the shuffle rather than
 * staying with the process:
 *
 *   kernel.wat     the swap pass (`segment`); it owns and exports the memory
 *   sha256x4.wat   the round's source hashes, four messages per SIMD step (`seed`, `sources`); it imports that
 *                  memory and writes the digests where `segment` reads its bit stream, so no hash is copied in
 *                  JavaScript
 *
 * Memory: bytes [0, LIST_OFFSET) are sha256x4.wat's tables and scratch (its seed at SEED_OFFSET); the caller's
 * data (the list, then the bit stream) starts at LIST_OFFSET.
 */

import { KERNEL_WASM_BASE64, SHA256X4_WASM_BASE64 } from "./kernelWasm.js";
import type { RoundLayout } from "./roundHashes.js";

/** Where the caller's data starts in a kernel's memory (after sha256x4.wat's 2048 bytes). */
export const LIST_OFFSET = 2048;
/** Where sha256x4.wat's `seed()` reads the 32-byte seed. */
const SEED_OFFSET = 288;

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
/** The compiled swap kernel and source hasher. */
export interface KernelModule {
  readonly swap: WasmModule;
  readonly sha: WasmModule;
}

interface SwapExports {
  readonly memory: WasmMemory;
  segment(x: number, bits: number, i: number, j: number, count: number): void;
}
interface ShaExports {
  seed(): void;
  sources(round: number, block: number, count: number, dest: number): void;
}

export interface ShuffleKernel {
  /** The shared memory: sha256x4.wat's scratch, then from LIST_OFFSET the caller's list and bit stream. */
  readonly memory: WasmMemory;
  /** Swap the pairs (i + k, j - k), k < count, whose bit (j - k) is set in the bit stream at byte `bits`. */
  segment(x: number, bits: number, i: number, j: number, count: number): void;
  /** Prepares `sources` for the seed written at SEED_OFFSET (see setKernelSeed). */
  seed(): void;
  /** hash(seed + uint8(round) + uint32(b)) for b in [block, block + count), 32 bytes each from byte `dest` on. */
  sources(round: number, block: number, count: number, dest: number): void;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const PAGE = 65536;

let compiled: KernelModule | null | undefined;

function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, "base64"));
}

/** The compiled modules, or null where this runtime has no WebAssembly SIMD (then the JavaScript path runs). */
export function kernelModule(): KernelModule | null {
  if (compiled === undefined) {
    const swap = decode(KERNEL_WASM_BASE64);
    const sha = decode(SHA256X4_WASM_BASE64);
    compiled =
      wasm.validate(swap) && wasm.validate(sha) ? { swap: new wasm.Module(swap), sha: new wasm.Module(sha) } : null;
  }
  return compiled;
}

/** A fresh kernel whose memory holds at least `bytes` bytes from LIST_OFFSET on. */
export function createKernel(module: KernelModule, bytes: number): ShuffleKernel {
  const swap = new wasm.Instance(module.swap, {}).exports as SwapExports;
  const memory = swap.memory;
  const pages = Math.ceil((LIST_OFFSET + bytes) / PAGE);
  const have = memory.buffer.byteLength / PAGE;
  if (pages > have) memory.grow(pages - have);
  const sha = new wasm.Instance(module.sha, { kernel: { memory } }).exports as ShaExports;
  return { memory, segment: swap.segment, seed: sha.seed, sources: sha.sources };
}

/** Prepares the kernel's source hashes for `seed` (32 bytes). */
export function setKernelSeed(kernel: ShuffleKernel, seed: Uint8Array): void {
  new Uint8Array(kernel.memory.buffer, SEED_OFFSET, 32).set(seed);
  kernel.seed();
}

/**
 * Hashes everything `layout` needs for `round` into the kernel's memory at byte `dest`: segment 1's blocks, then
 * segment 2's (the order RoundHasher.roundSources writes).
 */
export function kernelRoundSources(kernel: ShuffleKernel, round: number, layout: RoundLayout, dest: number): void {
  if (layout.blocks1 > 0) kernel.sources(round, layout.firstBlock1, layout.blocks1, dest);
  if (layout.blocks2 > 0) kernel.sources(round, layout.firstBlock2, layout.blocks2, dest + layout.blocks1 * 32);
}
