/**
 * The access-list tier (EIP-2930): what a transaction says it will touch, checked against what it touched.
 *
 * A declared set is the transaction's access list plus what every transaction touches by construction: its
 * sender (nonce, balance), its recipient, and the precompiles. The coinbase is left out: its fee credit is
 * lazy (see `executeParallel.ts`). For transactions that carry no list, `generateAccessList` produces one by
 * executing the transaction speculatively on a throwaway layer, as `eth_createAccessList` does.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";
import type { TxAccess } from "../state/access.js";
import type { StateLayer } from "../state/layer.js";
import type { WeftStateManager } from "../state/stateManager.js";
import { speculate } from "./speculate.js";

export interface DeclaredAccess {
  /** Addresses (0x-prefixed, lowercase). */
  accounts: Set<string>;
  /** Address → slots (0x-prefixed 32-byte hex). */
  slots: Map<string, Set<string>>;
}

/** An EIP-2930 access list entry, as JSON-RPC writes it. */
export interface AccessListItem {
  address: string;
  storageKeys: string[];
}

const PRECOMPILES = new Set(Array.from({ length: 0x11 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`));

function addressOf(bytes: Uint8Array): string {
  return bytesToHex(bytes).toLowerCase();
}

/** The set a transaction declares: its access list, its sender and its recipient. */
export function declaredAccess(tx: TypedTransaction): DeclaredAccess {
  const accounts = new Set<string>([tx.getSenderAddress().toString().toLowerCase()]);
  if (tx.to !== undefined) accounts.add(tx.to.toString().toLowerCase());
  const slots = new Map<string, Set<string>>();
  const list = (tx as { accessList?: Array<[Uint8Array, Uint8Array[]]> }).accessList ?? [];
  for (const [address, keys] of list) {
    const a = addressOf(address);
    accounts.add(a);
    let set = slots.get(a);
    if (set === undefined) {
      set = new Set();
      slots.set(a, set);
    }
    for (const key of keys) set.add(bytesToHex(key).toLowerCase());
  }
  return { accounts, slots };
}

/** What the transaction touched outside its declared set (`address` or `address|slot`); empty when it kept in. */
export function strays(declared: DeclaredAccess, access: TxAccess, coinbase?: string): string[] {
  const out: string[] = [];
  const inside = (address: string) =>
    declared.accounts.has(address) || PRECOMPILES.has(address) || address === coinbase;
  for (const set of [access.reads, access.writes]) {
    for (const address of set.accounts.keys()) if (!inside(address)) out.push(address);
    for (const [address, slots] of set.storage) {
      const allowed = declared.slots.get(address);
      for (const slot of slots) if (allowed?.has(slot) !== true) out.push(`${address}|${slot}`);
    }
  }
  return [...new Set(out)];
}

/** Whether two declared sets overlap (a possible conflict: the tier cannot tell reads from writes). */
export function overlaps(a: DeclaredAccess, b: DeclaredAccess): boolean {
  for (const address of a.accounts) if (b.accounts.has(address)) return true;
  return false;
}

/**
 * An access list for a transaction that has none, by executing it speculatively over `layer` (which is left
 * untouched): every account and slot it read or wrote, sender and recipient included.
 */
export async function generateAccessList(
  vm: VM,
  state: WeftStateManager,
  block: Block,
  layer: StateLayer,
  tx: TypedTransaction,
): Promise<{ declared: DeclaredAccess; accessList: AccessListItem[] }> {
  const saved = state.layer;
  const recording = state.recordAccess;
  state.recordAccess = true;
  try {
    const result = await speculate({ vm, state, block, blockLayer: layer, coinbaseKey: undefined }, tx, 0);
    const declared = declaredAccess(tx);
    for (const set of [result.reads, result.writes]) {
      for (const address of set.accounts.keys()) declared.accounts.add(address);
      for (const [address, slots] of set.storage) {
        declared.accounts.add(address);
        let own = declared.slots.get(address);
        if (own === undefined) {
          own = new Set();
          declared.slots.set(address, own);
        }
        for (const slot of slots) own.add(slot);
      }
    }
    const accessList = [...declared.accounts].sort().map((address) => ({
      address,
      storageKeys: [...(declared.slots.get(address) ?? [])].sort(),
    }));
    return { declared, accessList };
  } finally {
    state.layer = saved;
    state.recordAccess = recording;
  }
}
