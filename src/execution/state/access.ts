/**
 * Read and write sets of one transaction, the basis of conflict detection, parallel execution and EIP-7928
 * block access lists. Account accesses are per field; storage per slot; code per account.
 *
 * Reads are everything the transaction observed, inside reverted calls too (what it saw shaped what it did).
 * Writes are the transaction's effect: the keys whose value at its end differs from their value at its start,
 * so a write undone by a revert, or a value written back to what it was, is not a write.
 */
export const ACCOUNT_EXISTS = 1;
export const ACCOUNT_NONCE = 2;
export const ACCOUNT_BALANCE = 4;
export const ACCOUNT_CODE = 8;
/** Whether the account has any storage (read through its storage root; written by any slot change or wipe). */
export const ACCOUNT_STORAGE = 16;

export interface AccessSet {
  /** Address (0x-prefixed, lowercase) to a mask of ACCOUNT_* fields. */
  accounts: Map<string, number>;
  /** Address to the storage slots (0x-prefixed 32-byte hex). */
  storage: Map<string, Set<string>>;
}

export interface TxAccess {
  reads: AccessSet;
  writes: AccessSet;
  /**
   * With a lazy coinbase (see `WeftStateManager`'s `lazyCoinbase`): the fee credited to the coinbase after
   * execution, kept out of the read and write sets so that fees do not serialize every transaction.
   */
  coinbaseDelta?: bigint;
}

export function emptyAccessSet(): AccessSet {
  return { accounts: new Map(), storage: new Map() };
}

export function addAccount(set: AccessSet, address: string, fields: number): void {
  set.accounts.set(address, (set.accounts.get(address) ?? 0) | fields);
}

export function addSlot(set: AccessSet, address: string, slot: string): void {
  let slots = set.storage.get(address);
  if (slots === undefined) {
    slots = new Set();
    set.storage.set(address, slots);
  }
  slots.add(slot);
}

/** Names of the fields in a mask, for reports and tests. */
export function fieldNames(mask: number): string[] {
  const names: string[] = [];
  if (mask & ACCOUNT_EXISTS) names.push("exists");
  if (mask & ACCOUNT_NONCE) names.push("nonce");
  if (mask & ACCOUNT_BALANCE) names.push("balance");
  if (mask & ACCOUNT_CODE) names.push("code");
  if (mask & ACCOUNT_STORAGE) names.push("storage");
  return names;
}

/**
 * Whether two transactions conflict: one writes what the other reads or writes. Two writes of the storage flag
 * do not conflict with each other (each changed its own slots, which are compared one by one); the flag
 * conflicts only with a transaction that read it.
 */
export function conflicts(a: TxAccess, b: TxAccess): boolean {
  return overlaps(a.writes, b.reads) || overlaps(b.writes, a.reads) || overlaps(a.writes, b.writes, ~ACCOUNT_STORAGE);
}

function overlaps(x: AccessSet, y: AccessSet, fieldMask = -1): boolean {
  for (const [address, fields] of x.accounts) {
    const other = y.accounts.get(address);
    if (other !== undefined && (other & fields & fieldMask) !== 0) return true;
  }
  for (const [address, slots] of x.storage) {
    const other = y.storage.get(address);
    if (other === undefined) continue;
    for (const slot of slots) if (other.has(slot)) return true;
  }
  return false;
}
