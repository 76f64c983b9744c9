/**
 * A minimal EVM assembler for the workload's hand-written contracts (the hash actor, the swapper), so their
 * bytecode can be read opcode by opcode beside a comment instead of as a hex string.
 *
 * A program is a list of lines; each line holds one or more whitespace-separated tokens:
 * - a mnemonic (`CALLER`, `SSTORE`, …);
 * - `PUSHn <value>` with the value in hex or decimal, or `PUSH <value>` for the narrowest push that holds it
 *   (`PUSH0` for zero);
 * - `PUSH @label`: a two-byte push of a label's offset;
 * - `label:` marks a jump destination and emits its `JUMPDEST`.
 * Written by hand: the EVM assemblers on npm are unmaintained or pull in a compiler toolchain.
 */
import { WorkloadError } from "./errors.js";

const OPCODES: Record<string, number> = {
  STOP: 0x00,
  ADD: 0x01,
  MUL: 0x02,
  SUB: 0x03,
  DIV: 0x04,
  LT: 0x10,
  GT: 0x11,
  EQ: 0x14,
  ISZERO: 0x15,
  SHL: 0x1b,
  SHR: 0x1c,
  KECCAK256: 0x20,
  ADDRESS: 0x30,
  CALLER: 0x33,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CALLDATACOPY: 0x37,
  CODESIZE: 0x38,
  CODECOPY: 0x39,
  RETURNDATASIZE: 0x3d,
  RETURNDATACOPY: 0x3e,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  PUSH0: 0x5f,
  CALL: 0xf1,
  RETURN: 0xf3,
  STATICCALL: 0xfa,
  REVERT: 0xfd,
};
for (let n = 1; n <= 16; n++) {
  OPCODES[`DUP${n}`] = 0x7f + n;
  OPCODES[`SWAP${n}`] = 0x8f + n;
}

type Item = { byte: number } | { push: bigint; width: number } | { label: string } | { ref: string };

export function assemble(program: readonly string[]): Uint8Array {
  const items: Item[] = [];
  for (const line of program) {
    const tokens = line
      .trim()
      .split(/\s+/)
      .filter((t) => t.length > 0);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      if (token.endsWith(":")) {
        items.push({ label: token.slice(0, -1) });
        continue;
      }
      const push = /^PUSH(\d*)$/.exec(token);
      if (push !== null && token !== "PUSH0") {
        const operand = tokens[++i];
        if (operand === undefined) throw asmError(`${token} without an operand`, line);
        if (operand.startsWith("@")) {
          items.push({ ref: operand.slice(1) });
          continue;
        }
        const value = BigInt(operand);
        const width = push[1] === "" ? byteWidth(value) : Number(push[1]);
        if (width < 0 || width > 32 || value < 0n || byteWidth(value) > width) {
          throw asmError(`${token} ${operand} does not fit`, line);
        }
        items.push(width === 0 ? { byte: OPCODES.PUSH0 as number } : { push: value, width });
        continue;
      }
      const op = OPCODES[token];
      if (op === undefined) throw asmError(`unknown opcode ${token}`, line);
      items.push({ byte: op });
    }
  }
  // Offsets: every item has a fixed size (label references are always PUSH2), so one pass places them.
  const labels = new Map<string, number>();
  let size = 0;
  for (const item of items) {
    if ("label" in item) {
      if (labels.has(item.label)) throw asmError(`label ${item.label} defined twice`, item.label);
      labels.set(item.label, size);
      size += 1;
    } else if ("push" in item) size += 1 + item.width;
    else if ("ref" in item) size += 3;
    else size += 1;
  }
  const out = new Uint8Array(size);
  let pc = 0;
  for (const item of items) {
    if ("label" in item) out[pc++] = OPCODES.JUMPDEST as number;
    else if ("byte" in item) out[pc++] = item.byte;
    else {
      const value = "push" in item ? item.push : BigInt(labelOffset(labels, item.ref));
      const width = "push" in item ? item.width : 2;
      out[pc++] = 0x5f + width;
      for (let b = width - 1; b >= 0; b--) out[pc++] = Number((value >> BigInt(8 * b)) & 0xffn);
    }
  }
  return out;
}

/** Init code that returns `runtime` as the deployed code: CODECOPY the bytes after itself, RETURN them. */
export function deployCode(runtime: Uint8Array): Uint8Array {
  const prefix = (offset: number) =>
    assemble([
      `PUSH ${runtime.length}`, // [n]
      "DUP1", // [n, n]
      `PUSH2 ${offset}`, // [offset, n, n]: where the runtime starts in this code
      "PUSH0", // [0, offset, n, n]
      "CODECOPY", // memory[0, n) = code[offset, offset + n)
      "PUSH0", // [0, n]
      "RETURN", // deployed code = memory[0, n)
    ]);
  const head = prefix(prefix(0).length);
  const out = new Uint8Array(head.length + runtime.length);
  out.set(head, 0);
  out.set(runtime, head.length);
  return out;
}

function byteWidth(value: bigint): number {
  let width = 0;
  for (let v = value; v > 0n; v >>= 8n) width++;
  return width;
}

function labelOffset(labels: Map<string, number>, name: string): number {
  const offset = labels.get(name);
  if (offset === undefined) throw asmError(`unknown label @${name}`, name);
  return offset;
}

function asmError(message: string, line: string): WorkloadError {
  return new WorkloadError("ASSEMBLY_FAILED", `EVM assembly: ${message}`, { details: line });
}
