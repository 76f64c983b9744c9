/**
 * weft's state layer under `@ethereumjs/evm`: `StateManagerInterface` over flat maps in layers.
 *
 * - Reads walk the layers (transaction → block → base), a handful of map lookups, no trie.
 * - Writes go to the top layer and push an undo entry on a journal; `checkpoint` remembers the journal's length,
 *   `revert` undoes back to it and `commit` forgets it: both O(changes), however deep the calls nest (the stock
 *   SimpleStateManager copies whole maps at every checkpoint).
 * - Per transaction it records the read set as the EVM reads (account fields through the returned `Account`'s
 *   getters, slots, code) and derives the write set from the surviving journal at the end (see `access.ts`).
 * - The state root is computed only when asked (`getStateRoot`), from the flat maps, with per-account storage
 *   roots cached until that account's storage changes; over a base the caller pins (`pinRootBase`), only what
 *   the layers above it changed is hashed again (`stateRoot.ts`).
 */
import type { AccountFields, StateManagerInterface } from "@ethereumjs/common";
import { Account, type Address, equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256 } from "../crypto/native.js";
import {
  ACCOUNT_BALANCE,
  ACCOUNT_CODE,
  ACCOUNT_EXISTS,
  ACCOUNT_NONCE,
  ACCOUNT_STORAGE,
  type AccessSet,
  addAccount,
  addSlot,
  emptyAccessSet,
  type TxAccess,
} from "./access.js";
import { bytesKey } from "./keys.js";
import { type AccountRecord, EMPTY_BYTES, StateLayer } from "./layer.js";
import { accountLeaf, hashedKey, RollingRoots, storageRootOf } from "./stateRoot.js";
import { type TrieEntry, trieRoot } from "./trieRoot.js";

enum Undo {
  Account = 0,
  Slot = 1,
  Code = 2,
  Clear = 3,
}

interface UndoEntry {
  kind: Undo;
  key: string;
  slot: string;
  /** The previous layer value: a record, a slot value, a code, or a cleared storage map; undefined = absent. */
  prev: AccountRecord | null | Uint8Array | Map<string, Uint8Array> | undefined;
  prevCleared: boolean;
}

/** An `Account` whose field reads are recorded, and whose storage root is computed only if someone reads it. */
class StateAccount extends Account {
  readonly #sm: WeftStateManager;
  readonly #key: string;

  constructor(sm: WeftStateManager, key: string, record: AccountRecord) {
    super(record.nonce, record.balance, KECCAK256_RLP, record.codeHash);
    this.#sm = sm;
    this.#key = key;
  }
  override get nonce(): bigint {
    this.#sm.noteAccountRead(this.#key, ACCOUNT_NONCE);
    return super.nonce;
  }
  override set nonce(value: bigint) {
    super.nonce = value;
  }
  override get balance(): bigint {
    this.#sm.noteAccountRead(this.#key, ACCOUNT_BALANCE);
    return super.balance;
  }
  override set balance(value: bigint) {
    super.balance = value;
  }
  override get codeHash(): Uint8Array {
    this.#sm.noteAccountRead(this.#key, ACCOUNT_CODE);
    return super.codeHash;
  }
  override set codeHash(value: Uint8Array) {
    super.codeHash = value;
  }
  /** Read by the EVM only to tell whether a CREATE target has storage (EIP-7610); computed on demand. */
  override get storageRoot(): Uint8Array {
    this.#sm.noteAccountRead(this.#key, ACCOUNT_STORAGE);
    return this.#sm.storageRootOf(this.#key);
  }
  override set storageRoot(_value: Uint8Array) {
    // The storage root follows from the storage itself; weft never takes it from an Account.
  }
}

export interface WeftStateManagerOptions {
  /** The layer the manager writes to; its parents are read through. Default: a fresh base layer. */
  layer?: StateLayer;
  /** Record read and write sets per transaction (default true). */
  recordAccess?: boolean;
  /**
   * The block's coinbase (address key, 40 hex digits): its fee credit after execution is returned as a delta
   * in `TxAccess.coinbaseDelta` instead of a read and a write, as long as the transaction did not touch the
   * coinbase while executing. Call `enterPostExecution()` when the top-level call returns.
   */
  lazyCoinbase?: string;
}

/** An access set keyed by bare hex keys, 0x-prefixed (the form `AccessSet` documents). */
function prefixed(bare: AccessSet): AccessSet {
  const out = emptyAccessSet();
  for (const [key, mask] of bare.accounts) out.accounts.set(`0x${key}`, mask);
  for (const [key, slots] of bare.storage) {
    const own = new Set<string>();
    for (const slot of slots) own.add(`0x${slot}`);
    out.storage.set(`0x${key}`, own);
  }
  return out;
}

export class WeftStateManager implements StateManagerInterface {
  layer: StateLayer;
  recordAccess: boolean;
  /**
   * With `recordAccess`, also record reads (default true). Writes alone are enough where nothing validates the
   * transaction's reads afterwards (in-order execution beside speculative workers), and far cheaper.
   */
  recordReads = true;
  readonly originalStorageCache: { get(address: Address, key: Uint8Array): Promise<Uint8Array>; clear(): void };

  readonly #journal: UndoEntry[] = [];
  readonly #checkpoints: number[] = [];
  /** Values of slots at the start of the current transaction, for the ones it has written (EIP-2200 gas). */
  readonly #txOriginal = new Map<string, Uint8Array>();
  /**
   * The current transaction's reads by bare address and slot keys (40 and 64 hex digits, as the layer keys
   * them); `endTx` makes them the 0x-prefixed access set once per key. Prefixing on every read made a new
   * string to hash per account or slot access, a tenth of a speculative ERC20 transfer.
   */
  #reads: AccessSet = emptyAccessSet();
  /** For the write set: values at the start of the transaction of what it has written. */
  readonly #txAccountsBefore = new Map<string, AccountRecord | null>();
  readonly #txSlotsBefore = new Map<string, Uint8Array>();
  readonly #txWipedBefore = new Map<string, Map<string, Uint8Array>>();
  /** Storage roots by address key, dropped when the account's storage changes. */
  readonly #storageRoots = new Map<string, Uint8Array>();
  /** The pinned base of incremental state roots (`pinRootBase`). */
  #rootBase: RollingRoots | undefined;
  #lazyCoinbase: string | undefined;
  #postExecution = false;
  /** The transaction touched the coinbase before its post-execution phase: no lazy credit then. */
  #coinbaseTouched = false;

  constructor(options: WeftStateManagerOptions = {}) {
    this.layer = options.layer ?? new StateLayer();
    this.recordAccess = options.recordAccess ?? true;
    this.#lazyCoinbase = options.lazyCoinbase;
    this.originalStorageCache = {
      get: async (address, key) => this.originalStorage(bytesKey(address.bytes), bytesKey(key)),
      clear: () => this.#txOriginal.clear(),
    };
  }

  // --- recording -------------------------------------------------------------------------------------------

  noteAccountRead(key: string, fields: number): void {
    if (!this.recordAccess || !this.recordReads) return;
    if (key === this.#lazyCoinbase) {
      if (this.#postExecution) return;
      this.#coinbaseTouched = true;
    }
    addAccount(this.#reads, key, fields);
  }

  /** Another block's coinbase (or none) for the lazy fee credit: only between transactions. */
  setLazyCoinbase(key: string | undefined): void {
    this.#lazyCoinbase = key;
  }

  /** The top-level call has returned: what follows (gas refund, fee credit, cleanup) is post-execution. */
  enterPostExecution(): void {
    this.#postExecution = true;
  }

  /** Starts a transaction: a fresh journal, read set and original-storage record. */
  beginTx(): void {
    this.#journal.length = 0;
    this.#checkpoints.length = 0;
    this.#txOriginal.clear();
    this.#txAccountsBefore.clear();
    this.#txSlotsBefore.clear();
    this.#txWipedBefore.clear();
    this.#reads = emptyAccessSet();
    this.#postExecution = false;
    this.#coinbaseTouched = false;
  }

  /** Ends a transaction and returns what it read and wrote (nothing, without `recordAccess`). */
  endTx(): TxAccess {
    if (!this.recordAccess) {
      this.beginTx();
      return { reads: emptyAccessSet(), writes: emptyAccessSet() };
    }
    const writes = emptyAccessSet();
    let coinbaseDelta: bigint | undefined;
    const lazy = this.#lazyCoinbase !== undefined && !this.#coinbaseTouched ? this.#lazyCoinbase : undefined;
    for (const [key, before] of this.#txAccountsBefore) {
      const after = this.layer.account(key);
      if (key === lazy) {
        coinbaseDelta = (after?.balance ?? 0n) - (before?.balance ?? 0n);
        continue;
      }
      const mask = accountDiffMask(before, after);
      if (mask !== 0) addAccount(writes, `0x${key}`, mask);
    }
    for (const [id, before] of this.#txSlotsBefore) {
      const key = id.slice(0, 40);
      const slot = id.slice(41);
      if (!equalsBytes(before, this.layer.slot(key, slot))) {
        addSlot(writes, `0x${key}`, `0x${slot}`);
        addAccount(writes, `0x${key}`, ACCOUNT_STORAGE);
      }
    }
    // Storage wiped (CREATE over an address, SELFDESTRUCT): every slot that had a value and has none now.
    for (const [key, before] of this.#txWipedBefore) {
      for (const slot of before.keys()) {
        if (this.layer.slot(key, slot).length === 0) addSlot(writes, `0x${key}`, `0x${slot}`);
      }
      for (const [slot, value] of this.layer.storage.get(key) ?? []) {
        if (!equalsBytes(before.get(slot) ?? EMPTY_BYTES, value)) addSlot(writes, `0x${key}`, `0x${slot}`);
      }
      if (writes.storage.has(`0x${key}`)) addAccount(writes, `0x${key}`, ACCOUNT_STORAGE);
    }
    const reads = prefixed(this.#reads);
    this.beginTx();
    return coinbaseDelta === undefined ? { reads, writes } : { reads, writes, coinbaseDelta };
  }

  // --- StateManagerInterface: accounts ---------------------------------------------------------------------

  async getAccount(address: Address): Promise<Account | undefined> {
    const key = bytesKey(address.bytes);
    this.noteAccountRead(key, ACCOUNT_EXISTS);
    const record = this.layer.account(key);
    return record === null ? undefined : new StateAccount(this, key, record);
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const key = bytesKey(address.bytes);
    if (account === undefined) return this.removeAccount(key);
    // Read the fields without recording: writing a field is not reading it.
    const a = account as unknown as { _nonce: bigint; _balance: bigint; _codeHash: Uint8Array };
    this.setAccount(key, { nonce: a._nonce, balance: a._balance, codeHash: a._codeHash });
  }

  async deleteAccount(address: Address): Promise<void> {
    this.removeAccount(bytesKey(address.bytes));
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const key = bytesKey(address.bytes);
    const current = this.layer.account(key) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL };
    this.setAccount(key, {
      nonce: fields.nonce ?? current.nonce,
      balance: fields.balance ?? current.balance,
      codeHash: fields.codeHash ?? current.codeHash,
    });
  }

  private setAccount(key: string, record: AccountRecord): void {
    const layer = this.layer;
    if (key === this.#lazyCoinbase && !this.#postExecution) this.#coinbaseTouched = true;
    if (!this.#txAccountsBefore.has(key)) this.#txAccountsBefore.set(key, layer.account(key));
    this.#journal.push({ kind: Undo.Account, key, slot: "", prev: layer.accounts.get(key), prevCleared: false });
    layer.accounts.set(key, record);
  }

  private removeAccount(key: string): void {
    const layer = this.layer;
    if (key === this.#lazyCoinbase && !this.#postExecution) this.#coinbaseTouched = true;
    if (!this.#txAccountsBefore.has(key)) this.#txAccountsBefore.set(key, layer.account(key));
    this.#journal.push({ kind: Undo.Account, key, slot: "", prev: layer.accounts.get(key), prevCleared: false });
    layer.accounts.set(key, null);
    this.#journal.push({ kind: Undo.Code, key, slot: "", prev: layer.code.get(key), prevCleared: false });
    layer.code.set(key, EMPTY_BYTES);
    this.wipeStorage(key);
  }

  // --- code --------------------------------------------------------------------------------------------------

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const key = bytesKey(address.bytes);
    const layer = this.layer;
    this.#journal.push({ kind: Undo.Code, key, slot: "", prev: layer.code.get(key), prevCleared: false });
    layer.code.set(key, value);
    const current = layer.account(key) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL };
    this.setAccount(key, { ...current, codeHash: value.length === 0 ? KECCAK256_NULL : keccak256(value) });
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const key = bytesKey(address.bytes);
    this.noteAccountRead(key, ACCOUNT_CODE);
    return internCode(this.layer, key);
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  // --- storage -----------------------------------------------------------------------------------------------

  async getStorage(address: Address, slotBytes: Uint8Array): Promise<Uint8Array> {
    const key = bytesKey(address.bytes);
    const slot = bytesKey(slotBytes);
    if (this.recordAccess && this.recordReads) {
      if (key === this.#lazyCoinbase) this.#coinbaseTouched = true;
      addSlot(this.#reads, key, slot);
    }
    return this.layer.slot(key, slot);
  }

  async putStorage(address: Address, slotBytes: Uint8Array, value: Uint8Array): Promise<void> {
    const key = bytesKey(address.bytes);
    const slot = bytesKey(slotBytes);
    const layer = this.layer;
    const id = `${key}:${slot}`;
    if (!this.#txOriginal.has(id) || !this.#txSlotsBefore.has(id)) {
      const current = layer.slot(key, slot);
      if (!this.#txOriginal.has(id)) this.#txOriginal.set(id, current);
      if (!this.#txSlotsBefore.has(id) && !this.#txWipedBefore.has(key)) this.#txSlotsBefore.set(id, current);
    }
    let slots = layer.storage.get(key);
    if (slots === undefined) {
      slots = new Map();
      layer.storage.set(key, slots);
    }
    this.#journal.push({ kind: Undo.Slot, key, slot, prev: slots.get(slot), prevCleared: false });
    slots.set(slot, stripZeros(value));
    this.#storageRoots.delete(key);
  }

  async clearStorage(address: Address): Promise<void> {
    this.wipeStorage(bytesKey(address.bytes));
  }

  private wipeStorage(key: string): void {
    const layer = this.layer;
    if (!this.#txWipedBefore.has(key)) this.#txWipedBefore.set(key, layer.slots(key));
    this.#journal.push({
      kind: Undo.Clear,
      key,
      slot: "",
      prev: layer.storage.get(key),
      prevCleared: layer.cleared.has(key),
    });
    layer.storage.set(key, new Map());
    layer.cleared.add(key);
    this.#storageRoots.delete(key);
  }

  private originalStorage(key: string, slot: string): Uint8Array {
    if (this.recordAccess && this.recordReads) addSlot(this.#reads, key, slot);
    return this.#txOriginal.get(`${key}:${slot}`) ?? this.layer.slot(key, slot);
  }

  // --- checkpoints -------------------------------------------------------------------------------------------

  async checkpoint(): Promise<void> {
    this.#checkpoints.push(this.#journal.length);
  }

  async commit(): Promise<void> {
    this.#checkpoints.pop();
  }

  async revert(): Promise<void> {
    const mark = this.#checkpoints.pop() ?? 0;
    const layer = this.layer;
    for (let i = this.#journal.length - 1; i >= mark; i--) {
      const e = this.#journal[i] as UndoEntry;
      applyUndo(layer, e);
      if (e.kind === Undo.Slot || e.kind === Undo.Clear) this.#storageRoots.delete(e.key);
    }
    this.#journal.length = mark;
  }

  // --- roots -------------------------------------------------------------------------------------------------

  /** The storage root of one account as the top layer sees it (cached until its storage changes). */
  storageRootOf(key: string): Uint8Array {
    let root = this.#storageRoots.get(key);
    if (root === undefined) {
      root = storageRootOf(this.layer.slots(key));
      this.#storageRoots.set(key, root);
    }
    return root;
  }

  async getStateRoot(): Promise<Uint8Array> {
    return this.stateRoot();
  }

  /**
   * Pins `base`, a layer under `layer` that the caller leaves unchanged until it unpins (`undefined`): state
   * roots are then computed on `base`'s tries, built once, re-hashing only what the layers above changed. A block
   * before Byzantium asks for a root after every transaction (its receipts carry one).
   */
  pinRootBase(base: StateLayer | undefined): void {
    if (base === undefined) this.#rootBase = undefined;
    else if (this.#rootBase?.base !== base) this.#rootBase = new RollingRoots(base);
  }

  /** The Merkle-Patricia state root of everything the layers hold, computed now. */
  stateRoot(): Uint8Array {
    if (this.#rootBase !== undefined && this.layer.isOver(this.#rootBase.base)) {
      return this.#rootBase.root(this.layer, this.#storageRoots);
    }
    const entries: TrieEntry[] = [];
    for (const key of this.layer.accountKeys()) {
      const record = this.layer.account(key);
      if (record === null) continue;
      entries.push({ key: hashedKey(key).key, value: accountLeaf(record, this.storageRootOf(key)) });
    }
    return trieRoot(entries);
  }

  async setStateRoot(): Promise<void> {
    throw new Error("WeftStateManager holds one state in flat maps; it cannot switch to another state root");
  }

  async hasStateRoot(): Promise<boolean> {
    return false;
  }

  /** Drops cached storage roots: call after writing to the layers directly (e.g. applying another thread's diff). */
  clearCaches(): void {
    this.#storageRoots.clear();
  }

  shallowCopy(): StateManagerInterface {
    return new WeftStateManager({ layer: new StateLayer(this.layer), recordAccess: this.recordAccess });
  }
}

/**
 * Accounts with the same code get the same `Uint8Array`, so per-code work keyed by the array (the EVM's jump
 * analysis, see `evm/tuning.ts`) is done once per contract, not once per pool or token of a factory.
 */
const canonicalCode = new Map<string, Uint8Array>();
function internCode(layer: StateLayer, key: string): Uint8Array {
  const code = layer.codeOf(key);
  if (code.length < 64) return code;
  const record = layer.account(key);
  if (record === null) return code;
  const hash = bytesKey(record.codeHash);
  const known = canonicalCode.get(hash);
  if (known !== undefined) return known;
  if (canonicalCode.size >= 20_000) canonicalCode.clear();
  canonicalCode.set(hash, code);
  return code;
}

function applyUndo(layer: StateLayer, e: UndoEntry): void {
  switch (e.kind) {
    case Undo.Account:
      if (e.prev === undefined) layer.accounts.delete(e.key);
      else layer.accounts.set(e.key, e.prev as AccountRecord | null);
      break;
    case Undo.Slot: {
      const slots = layer.storage.get(e.key);
      if (slots === undefined) break;
      if (e.prev === undefined) slots.delete(e.slot);
      else slots.set(e.slot, e.prev as Uint8Array);
      break;
    }
    case Undo.Code:
      if (e.prev === undefined) layer.code.delete(e.key);
      else layer.code.set(e.key, e.prev as Uint8Array);
      break;
    case Undo.Clear:
      if (e.prev === undefined) layer.storage.delete(e.key);
      else layer.storage.set(e.key, e.prev as Map<string, Uint8Array>);
      if (!e.prevCleared) layer.cleared.delete(e.key);
      break;
  }
}

function accountDiffMask(before: AccountRecord | null, after: AccountRecord | null): number {
  if (before === null && after === null) return 0;
  if (before === null || after === null) {
    return ACCOUNT_EXISTS | ACCOUNT_NONCE | ACCOUNT_BALANCE | ACCOUNT_CODE;
  }
  let mask = 0;
  if (before.nonce !== after.nonce) mask |= ACCOUNT_NONCE;
  if (before.balance !== after.balance) mask |= ACCOUNT_BALANCE;
  if (!equalsBytes(before.codeHash, after.codeHash)) mask |= ACCOUNT_CODE;
  return mask;
}

function stripZeros(value: Uint8Array): Uint8Array {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  return i === 0 ? value : value.subarray(i);
}
