/**
 * The order pool: every order the builder may use for the next block, bounded so that spam cannot grow memory.
 *
 *   add: already known? → a transaction with a pooled (sender, nonce): replace it only for ≥ 10 % more on every
 *        fee field → a bundle with a pooled replacement uuid: replace it → the sender (a bundle's searcher) under
 *        its limit? → the pool under its bound, or the new order worth more than the least valuable one, which
 *        is evicted → stored, indexed by sender and nonce, uuid, and value.
 *   value: the estimate (tips at the full gas limit) until simulation measures the coinbase's profit.
 *   new parent: orders whose nonces are spent and bundles for past blocks are pruned.
 *
 * Every refusal is a `BuildingError` with its code, counted in `rejected`; a refused order changes nothing.
 * Values live in a min-heap with lazy deletion (an entry is stale when its order is gone or has a newer value),
 * rebuilt when stale entries outnumber live ones, so eviction is O(log n).
 */
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { BuildingError, type BuildingErrorCode } from "../errors.js";
import { type BundleOrder, estimatedValue, type Order, type TransactionOrder } from "./order.js";

export interface OrderPoolOptions {
  /** The most orders the pool holds (default 10,000). */
  maxOrders?: number;
  /** The most orders one sender (a bundle: its searcher) may have pooled (default 64). */
  maxOrdersPerSender?: number;
  /** How much more every fee field of a replacement must be, in percent (default 10, as geth). */
  replacementBumpPercent?: number;
  /** The base fee that estimated values are computed at (default 0; updated by `onNewParent`). */
  baseFee?: bigint;
}

export interface AddResult {
  id: string;
  /** The order this one replaced (same sender and nonce, or same replacement uuid). */
  replaced?: string;
  /** The order evicted to make room. */
  evicted?: string;
}

export interface NewParent {
  /** The number of the block being built next. */
  blockNumber: bigint;
  baseFee: bigint;
  /** An account's nonce at the new parent state. */
  nonceOf(sender: string): bigint;
}

interface HeapEntry {
  value: bigint;
  id: string;
  version: number;
}

export class OrderPool {
  readonly maxOrders: number;
  readonly maxOrdersPerSender: number;
  readonly replacementBumpPercent: number;
  baseFee: bigint;
  /** Refusals by code, since the pool was made. */
  readonly rejected = new Map<BuildingErrorCode, number>();
  /** Bumped on every change: a consumer that saw version v has seen everything up to it. */
  version = 0;

  readonly #orders = new Map<string, Order>();
  readonly #values = new Map<string, { value: bigint; simulated: boolean; version: number }>();
  /** sender key → nonce → id of the plain transaction order. */
  readonly #byNonce = new Map<string, Map<bigint, string>>();
  readonly #byUuid = new Map<string, string>();
  readonly #perSender = new Map<string, number>();
  #heap: HeapEntry[] = [];
  #seq = 0;

  constructor(options: OrderPoolOptions = {}) {
    this.maxOrders = options.maxOrders ?? 10_000;
    this.maxOrdersPerSender = options.maxOrdersPerSender ?? 64;
    this.replacementBumpPercent = options.replacementBumpPercent ?? 10;
    this.baseFee = options.baseFee ?? 0n;
  }

  get size(): number {
    return this.#orders.size;
  }

  /** The next arrival sequence number (for orders made outside the pool). */
  nextSeq(): number {
    return this.#seq++;
  }

  get(id: string): Order | undefined {
    return this.#orders.get(id);
  }

  has(id: string): boolean {
    return this.#orders.has(id);
  }

  /** Every pooled order, in arrival order. */
  orders(): Order[] {
    return [...this.#orders.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The order's value: its simulated profit when known, else its estimate. */
  valueOf(id: string): bigint | undefined {
    return this.#values.get(id)?.value;
  }

  /** How many orders the sender (or searcher) has pooled. */
  countOf(sender: string): number {
    return this.#perSender.get(sender) ?? 0;
  }

  /**
   * The nonce a new transaction of `sender` would continue with: the state's nonce, then past every pooled
   * transaction of the sender with consecutive nonces.
   */
  pendingNonce(sender: string, stateNonce: bigint): bigint {
    const nonces = this.#byNonce.get(sender);
    let next = stateNonce;
    while (nonces?.has(next)) next++;
    return next;
  }

  /** Adds an order, or throws a `BuildingError` saying why not (and changes nothing). */
  add(order: Order): AddResult {
    try {
      return this.#add(order);
    } catch (error) {
      if (error instanceof BuildingError) this.rejected.set(error.code, (this.rejected.get(error.code) ?? 0) + 1);
      throw error;
    }
  }

  #add(order: Order): AddResult {
    if (this.#orders.has(order.id)) {
      throw new BuildingError("ALREADY_KNOWN", `order ${order.id} is already pooled`, { data: { id: order.id } });
    }
    const replaced = order.kind === "tx" ? this.#replacedTx(order) : this.#replacedBundle(order);
    const owner = ownerOf(order);
    const ownerAfterReplace = replaced !== undefined && ownerOf(replaced) === owner ? 1 : 0;
    if (this.countOf(owner) - ownerAfterReplace >= this.maxOrdersPerSender) {
      throw new BuildingError(
        "SENDER_LIMIT",
        `0x${owner} already has ${this.countOf(owner)} orders pooled, the most one sender may have`,
        { data: { sender: `0x${owner}`, limit: this.maxOrdersPerSender } },
      );
    }
    const value = estimatedValue(order, this.baseFee);
    let evicted: Order | undefined;
    if (replaced === undefined && this.#orders.size >= this.maxOrders) {
      const lowest = this.#lowest();
      if (lowest === undefined || lowest.value >= value) {
        throw new BuildingError(
          "POOL_FULL",
          `the pool holds ${this.#orders.size} orders and this one is worth ${value} wei, not more than the least valuable (${lowest?.value ?? 0n} wei)`,
          { data: { value: value.toString(), lowest: (lowest?.value ?? 0n).toString() } },
        );
      }
      evicted = this.#orders.get(lowest.id);
    }
    if (replaced !== undefined) this.remove(replaced.id);
    if (evicted !== undefined) this.remove(evicted.id);
    this.#insert(order, value);
    const result: AddResult = { id: order.id };
    if (replaced !== undefined) result.replaced = replaced.id;
    if (evicted !== undefined) result.evicted = evicted.id;
    return result;
  }

  /** The pooled transaction this one replaces, if any; throws when the replacement does not pay enough. */
  #replacedTx(order: TransactionOrder): Order | undefined {
    const t = order.txs[0];
    if (t === undefined) return undefined;
    const existingId = this.#byNonce.get(t.sender)?.get(t.nonce);
    if (existingId === undefined) return undefined;
    const existing = this.#orders.get(existingId) as TransactionOrder;
    const old = (existing.txs[0] as { tx: TypedTransaction }).tx;
    const bump = BigInt(100 + this.replacementBumpPercent);
    for (const [field, before, after] of feeFields(old, t.tx)) {
      if (after * 100n < before * bump) {
        throw new BuildingError(
          "REPLACEMENT_UNDERPRICED",
          `replacing transaction ${existingId} (same sender and nonce ${t.nonce}) needs ${field} of at least ${(before * bump + 99n) / 100n}, got ${after}`,
          { data: { replaces: existingId, field, minimum: ((before * bump + 99n) / 100n).toString() } },
        );
      }
    }
    return existing;
  }

  #replacedBundle(order: BundleOrder): Order | undefined {
    if (order.replacementUuid === undefined) return undefined;
    const id = this.#byUuid.get(order.replacementUuid);
    return id === undefined ? undefined : this.#orders.get(id);
  }

  /** Removes the bundle pooled under a replacement uuid; throws `UNKNOWN_BUNDLE` when there is none. */
  cancelBundle(replacementUuid: string): string {
    const id = this.#byUuid.get(replacementUuid.toLowerCase());
    if (id === undefined) {
      const error = new BuildingError("UNKNOWN_BUNDLE", `no bundle is pooled with replacement uuid ${replacementUuid}`);
      this.rejected.set(error.code, (this.rejected.get(error.code) ?? 0) + 1);
      throw error;
    }
    this.remove(id);
    return id;
  }

  remove(id: string): boolean {
    const order = this.#orders.get(id);
    if (order === undefined) return false;
    this.#orders.delete(id);
    this.#values.delete(id);
    const owner = ownerOf(order);
    const count = (this.#perSender.get(owner) ?? 1) - 1;
    if (count === 0) this.#perSender.delete(owner);
    else this.#perSender.set(owner, count);
    if (order.kind === "tx") {
      const t = order.txs[0];
      const nonces = t === undefined ? undefined : this.#byNonce.get(t.sender);
      if (t !== undefined && nonces?.get(t.nonce) === id) {
        nonces.delete(t.nonce);
        if (nonces.size === 0) this.#byNonce.delete(t.sender);
      }
    } else if (order.replacementUuid !== undefined && this.#byUuid.get(order.replacementUuid) === id) {
      this.#byUuid.delete(order.replacementUuid);
    }
    this.version++;
    return true;
  }

  /** Records an order's simulated value (what it earns the coinbase); it then ranks by that. */
  setValue(id: string, value: bigint): void {
    const entry = this.#values.get(id);
    if (entry === undefined) return;
    entry.value = value;
    entry.simulated = true;
    entry.version++;
    this.#push({ value, id, version: entry.version });
  }

  /**
   * The chain moved: prunes orders that can no longer be included (a non-droppable transaction's nonce spent,
   * a bundle for an earlier block) and resets simulated values, which were measured on the old parent.
   * Returns the pruned ids.
   */
  onNewParent(parent: NewParent): string[] {
    this.baseFee = parent.baseFee;
    const pruned: string[] = [];
    for (const order of [...this.#orders.values()]) {
      const stale =
        (order.kind === "bundle" && order.blockNumber !== undefined && order.blockNumber < parent.blockNumber) ||
        order.txs.some((t) => !t.canDrop && t.nonce < parent.nonceOf(t.sender)) ||
        order.txs.every((t) => t.nonce < parent.nonceOf(t.sender));
      if (stale) {
        this.remove(order.id);
        pruned.push(order.id);
      }
    }
    this.#heap = [];
    for (const [id, entry] of this.#values) {
      const order = this.#orders.get(id) as Order;
      entry.value = estimatedValue(order, parent.baseFee);
      entry.simulated = false;
      entry.version++;
      this.#heap.push({ value: entry.value, id, version: entry.version });
    }
    this.#heapify();
    this.version++;
    return pruned;
  }

  #insert(order: Order, value: bigint): void {
    this.#orders.set(order.id, order);
    this.#values.set(order.id, { value, simulated: false, version: 0 });
    this.#push({ value, id: order.id, version: 0 });
    const owner = ownerOf(order);
    this.#perSender.set(owner, (this.#perSender.get(owner) ?? 0) + 1);
    if (order.kind === "tx") {
      const t = order.txs[0];
      if (t !== undefined) {
        let nonces = this.#byNonce.get(t.sender);
        if (nonces === undefined) {
          nonces = new Map();
          this.#byNonce.set(t.sender, nonces);
        }
        nonces.set(t.nonce, order.id);
      }
    } else if (order.replacementUuid !== undefined) {
      this.#byUuid.set(order.replacementUuid, order.id);
    }
    this.version++;
  }

  // --- the value heap (min at the root) -------------------------------------------------------------------

  #isLive(e: HeapEntry): boolean {
    return this.#values.get(e.id)?.version === e.version;
  }

  #lowest(): HeapEntry | undefined {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as HeapEntry;
      if (this.#isLive(top)) return top;
      this.#pop();
    }
    return undefined;
  }

  #push(entry: HeapEntry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((heap[p] as HeapEntry).value <= entry.value) break;
      heap[i] = heap[p] as HeapEntry;
      i = p;
    }
    heap[i] = entry;
    if (heap.length > 2 * this.#values.size + 64) {
      this.#heap = heap.filter((e) => this.#isLive(e));
      this.#heapify();
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as HeapEntry;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
  }

  #heapify(): void {
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const entry = heap[start] as HeapEntry;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && (heap[r] as HeapEntry).value < (heap[l] as HeapEntry).value ? r : l;
      if ((heap[c] as HeapEntry).value >= entry.value) break;
      heap[i] = heap[c] as HeapEntry;
      i = c;
    }
    heap[i] = entry;
  }
}

/** Who an order counts against: a transaction's sender, a bundle's searcher. */
export function ownerOf(order: Order): string {
  return order.kind === "bundle" ? order.searcher : (order.txs[0]?.sender ?? "");
}

/** The fee fields a replacement must raise: both EIP-1559 caps, or the gas price. */
function feeFields(old: TypedTransaction, next: TypedTransaction): Array<[string, bigint, bigint]> {
  const fees = (tx: TypedTransaction) =>
    tx.supports(Capability.EIP1559FeeMarket)
      ? {
          maxFeePerGas: (tx as unknown as { maxFeePerGas: bigint }).maxFeePerGas,
          maxPriorityFeePerGas: (tx as unknown as { maxPriorityFeePerGas: bigint }).maxPriorityFeePerGas,
        }
      : {
          maxFeePerGas: (tx as unknown as { gasPrice: bigint }).gasPrice,
          maxPriorityFeePerGas: (tx as unknown as { gasPrice: bigint }).gasPrice,
        };
  const a = fees(old);
  const b = fees(next);
  return [
    ["maxFeePerGas", a.maxFeePerGas, b.maxFeePerGas],
    ["maxPriorityFeePerGas", a.maxPriorityFeePerGas, b.maxPriorityFeePerGas],
  ];
}
