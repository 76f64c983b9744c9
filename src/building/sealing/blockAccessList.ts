/**
 * The EIP-7928 block access list of a built block, made from what building recorded anyway: every
 * transaction's read and write sets and the values it left (its state diff), the coinbase's balance after each
 * transaction, the system calls' changes (index 0) and the finalization's (withdrawals and request system
 * calls, index n + 1).
 *
 *   every address read or written → an entry (address-only when nothing changed)
 *   slots read and never written in the block → `storageReads`; written slots → `storageChanges`, the value
 *   after each transaction that changed it; balance, nonce and code changes → the value after the transaction.
 *
 * Encoding and hashing are ethereumjs's (`BlockLevelAccessList`, built from the Engine API's JSON form), so the
 * RLP and its ordering are the library's canonical ones.
 */

import type { Common } from "@ethereumjs/common";
import {
  type BALJSONAccountChanges,
  type BlockLevelAccessList,
  bigIntToAddressBytes,
  bytesToHex,
  createBlockLevelAccessListFromJSON,
  type PrefixedHexString,
} from "@ethereumjs/util";
import type { StateDiff } from "../../execution/parallel/stateDiff.js";
import { ACCOUNT_BALANCE, ACCOUNT_CODE, ACCOUNT_NONCE, type AccessSet } from "../../execution/state/access.js";
import { keyBytes } from "../../execution/state/keys.js";
import type { CommittedTx } from "../builders/partialBlock.js";

interface AccountChanges {
  balance: Map<number, bigint>;
  nonce: Map<number, bigint>;
  code: Map<number, Uint8Array>;
  storage: Map<string, Map<number, Uint8Array>>;
  reads: Set<string>;
}

export interface BlockAccessListInput {
  common: Common;
  coinbaseKey: string;
  /** The coinbase's balance before the transactions. */
  coinbaseStart: bigint;
  /** Changes of the system calls before the transactions (index 0). */
  systemDiff: StateDiff;
  txs: readonly CommittedTx[];
  /** Changes after the transactions: withdrawals, request system calls (index n + 1). */
  finalDiff: StateDiff;
  /** Addresses the finalization accessed without changing (request predeploys that exist, say). */
  finalAccessed: readonly string[];
}

export function buildBlockAccessList(input: BlockAccessListInput): BlockLevelAccessList {
  const accounts = new Map<string, AccountChanges>();
  const entry = (key: string): AccountChanges => {
    let a = accounts.get(key);
    if (a === undefined) {
      a = { balance: new Map(), nonce: new Map(), code: new Map(), storage: new Map(), reads: new Set() };
      accounts.set(key, a);
    }
    return a;
  };

  // Index 0: the system contracts the fork calls before the transactions.
  for (const key of systemContracts(input.common)) entry(key);
  applyDiffChanges(entry, input.systemDiff, 0);

  input.txs.forEach((t, i) => {
    const index = i + 1;
    touch(entry, t.reads);
    touch(entry, t.writes);
    for (const [address, slots] of t.reads.storage) {
      const a = entry(address.slice(2));
      for (const slot of slots) a.reads.add(slot.slice(2));
    }
    for (const [address, slots] of t.writes.storage) {
      const key = address.slice(2);
      const a = entry(key);
      const written = t.diff.storage.get(key);
      for (const slot of slots) {
        const s = slot.slice(2);
        setChange(a.storage, s, index, written?.get(s) ?? new Uint8Array(0));
      }
    }
    for (const [address, mask] of t.writes.accounts) {
      const key = address.slice(2);
      const a = entry(key);
      const record = t.diff.accounts.get(key);
      if (mask & ACCOUNT_BALANCE) a.balance.set(index, record?.balance ?? 0n);
      if (mask & ACCOUNT_NONCE && (record?.nonce ?? 0n) !== 0n) a.nonce.set(index, record?.nonce ?? 0n);
      if (mask & ACCOUNT_CODE) {
        const code = t.diff.code.get(key);
        if (code !== undefined && code.length > 0) a.code.set(index, code);
      }
    }
    const coinbase = entry(input.coinbaseKey);
    const previous = i === 0 ? input.coinbaseStart : (input.txs[i - 1] as CommittedTx).coinbaseBalance;
    if (previous !== t.coinbaseBalance) coinbase.balance.set(index, t.coinbaseBalance);
    if (t.coinbaseNonce !== undefined) coinbase.nonce.set(index, t.coinbaseNonce);
  });

  const final = input.txs.length + 1;
  for (const key of input.finalAccessed) entry(key);
  applyDiffChanges(entry, input.finalDiff, final);

  const json: BALJSONAccountChanges[] = [];
  for (const [key, a] of accounts) {
    for (const slot of a.storage.keys()) a.reads.delete(slot);
    json.push({
      address: `0x${key}`,
      balanceChanges: [...a.balance].map(([i, v]) => ({ blockAccessIndex: hexIndex(i), postBalance: quantity(v) })),
      nonceChanges: [...a.nonce].map(([i, v]) => ({ blockAccessIndex: hexIndex(i), postNonce: quantity(v) })),
      codeChanges: [...a.code].map(([i, code]) => ({ blockAccessIndex: hexIndex(i), newCode: bytesToHex(code) })),
      storageChanges: [...a.storage].map(([slot, changes]) => ({
        slot: slotHex(slot),
        slotChanges: [...changes].map(([i, v]) => ({ blockAccessIndex: hexIndex(i), postValue: valueHex(v) })),
      })),
      storageReads: [...a.reads].map(slotHex),
    });
  }
  return createBlockLevelAccessListFromJSON(json);
}

/** Address keys of the system contracts called before the transactions at this fork. */
function systemContracts(common: Common): string[] {
  const out: string[] = [];
  if (common.isActivatedEIP(4788)) out.push("000f3df6d732807ef1319fb7b8bb8522d0beac02");
  if (common.isActivatedEIP(2935)) {
    out.push(Buffer.from(bigIntToAddressBytes(common.param("historyStorageAddress"))).toString("hex"));
  }
  return out;
}

function touch(entry: (key: string) => AccountChanges, set: AccessSet): void {
  for (const address of set.accounts.keys()) entry(address.slice(2));
  for (const address of set.storage.keys()) entry(address.slice(2));
}

function applyDiffChanges(entry: (key: string) => AccountChanges, diff: StateDiff, index: number): void {
  for (const [key, record] of diff.accounts) {
    const a = entry(key);
    a.balance.set(index, record?.balance ?? 0n);
    if (record !== null && record.nonce !== 0n) a.nonce.set(index, record.nonce);
  }
  for (const [key, slots] of diff.storage) {
    const a = entry(key);
    for (const [slot, value] of slots) setChange(a.storage, slot, index, value);
  }
  for (const [key, code] of diff.code) if (code.length > 0) entry(key).code.set(index, code);
}

function setChange(
  storage: Map<string, Map<number, Uint8Array>>,
  slot: string,
  index: number,
  value: Uint8Array,
): void {
  let changes = storage.get(slot);
  if (changes === undefined) {
    changes = new Map();
    storage.set(slot, changes);
  }
  changes.set(index, value);
}

function hexIndex(i: number): PrefixedHexString {
  const h = i.toString(16);
  return `0x${h.length % 2 === 1 ? "0" : ""}${h}`;
}

function quantity(v: bigint): PrefixedHexString {
  const h = v.toString(16);
  return `0x${h.length % 2 === 1 ? "0" : ""}${h}`;
}

/** A slot key without leading zero bytes (ethereumjs's storage-key form). */
function slotHex(slot: string): PrefixedHexString {
  const bytes = keyBytes(slot);
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytesToHex(bytes.subarray(i));
}

function valueHex(value: Uint8Array): PrefixedHexString {
  return bytesToHex(value);
}
