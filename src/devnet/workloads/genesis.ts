/**
 * The chain every workload runs on and the builder of its pre-state.
 *
 * Chain: mainnet rules at Prague (chain id 1), block 22,500,000, a timestamp twelve seconds a slot after Prague's
 * activation, base fee 1 gwei. The pre-state is the parent block's state, twelve seconds earlier.
 *
 * Pre-state: written straight into a `StateLayer`, never by executing setup transactions: creating thousands of Uniswap pairs through the factory costs ~15 ms each on this engine
 * (CREATE2 hashes the 11 KB init code with pure-JS keccak three times), so the contracts' storage is laid out
 * from their source-level layout instead, and `test/devnet/workloads/layouts.test.ts` proves the layout equal,
 * account by account and slot by slot, to what executing the real constructors and calls produces.
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { type Address, Address as AddressClass, bigIntToBytes, bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { keccak256, weftCustomCrypto } from "../../execution/crypto/native.js";
import { bytesKey } from "../../execution/state/keys.js";
import { EMPTY_BYTES, emptyAccount, StateLayer } from "../../execution/state/layer.js";
import { deriveAddress, deriveSigner, type Signer } from "./accounts.js";
import { Random } from "./random.js";

export const WORKLOAD_HARDFORK = Hardfork.Prague;
export const WORKLOAD_CHAIN_ID = 1n;
/** Prague's first mainnet block and its timestamp, the anchor of the workload block's number and time. */
const PRAGUE_BLOCK = 22_431_084n;
const PRAGUE_TIMESTAMP = 1_746_612_311n;
export const WORKLOAD_BLOCK_NUMBER = 22_500_000n;
export const WORKLOAD_TIMESTAMP = PRAGUE_TIMESTAMP + (WORKLOAD_BLOCK_NUMBER - PRAGUE_BLOCK) * 12n;
/** The parent block's timestamp: when the pre-state was written (Uniswap pairs record it as their last update). */
export const GENESIS_TIMESTAMP = WORKLOAD_TIMESTAMP - 12n;
export const WORKLOAD_BASE_FEE = 1_000_000_000n;
/** The ether each funded account holds beyond what its transactions can spend. */
export const ETHER = 10n ** 18n;

/** Mainnet rules at Prague with weft's native keccak and secp256k1. */
export function workloadCommon(): Common {
  return new Common({ chain: Mainnet, hardfork: WORKLOAD_HARDFORK, customCrypto: weftCustomCrypto() });
}

/** The 32-byte storage key of `mapping[key]` for a mapping at `slot` (Solidity: keccak256(key ‖ slot)). */
export function mappingSlot(slot: bigint | Uint8Array, key: bigint | Uint8Array | Address): Uint8Array {
  const preimage = new Uint8Array(64);
  writeWord(preimage, 0, key);
  writeWord(preimage, 32, slot);
  return keccak256(preimage);
}

/** A value as a 32-byte big-endian word (an address left-padded). */
export function word(value: bigint | Uint8Array | Address): Uint8Array {
  const out = new Uint8Array(32);
  writeWord(out, 0, value);
  return out;
}

function writeWord(target: Uint8Array, offset: number, value: bigint | Uint8Array | Address): void {
  if (typeof value === "bigint") {
    for (let i = 31, v = value; i >= 0 && v > 0n; i--, v >>= 8n) target[offset + i] = Number(v & 0xffn);
    return;
  }
  const bytes = value instanceof Uint8Array ? value : value.bytes;
  target.set(bytes, offset + 32 - bytes.length);
}

/** The address of the contract `from` creates with CREATE at `nonce`: keccak256(rlp([from, nonce]))[12:]. */
export function createAddress(from: Address, nonce: bigint): Address {
  return new AddressClass(keccak256(RLP.encode([from.bytes, bigIntToUnpaddedBytes(nonce)])).slice(12));
}

/** The address of a CREATE2 contract: keccak256(0xff ‖ from ‖ salt ‖ keccak256(initCode))[12:]. */
export function create2Address(from: Address, salt: Uint8Array, initCodeHash: Uint8Array): Address {
  const preimage = new Uint8Array(85);
  preimage[0] = 0xff;
  preimage.set(from.bytes, 1);
  preimage.set(salt, 21);
  preimage.set(initCodeHash, 53);
  return new AddressClass(keccak256(preimage).slice(12));
}

/**
 * Writes a workload's pre-state into a base `StateLayer` (its maps directly: no journal, no access recording,
 * which a genesis of hundreds of thousands of slots does not need). Accounts it hands out are derived from
 * the seed: senders (with keys) and recipients (without), each role counting its own indices, and contracts at
 * the deployer's CREATE addresses.
 */
export class GenesisBuilder {
  readonly seed: number;
  readonly layer = new StateLayer();
  /** Owns every contract and every token not given to someone. */
  readonly deployer: Signer;
  readonly random: Random;
  #deployerNonce = 0n;
  readonly #counters = new Map<string, number>();
  /** Code hashes by code object: thousands of pairs share one 11 KB runtime, hashed once. */
  readonly #codeHashes = new WeakMap<Uint8Array, Uint8Array>();

  constructor(seed: number) {
    this.seed = seed;
    this.deployer = deriveSigner(seed, "deployer", 0);
    this.random = new Random(seed, "weft-workload/choices");
  }

  /** A new account with a key (a transaction sender). */
  newSigner(role = "sender"): Signer {
    return deriveSigner(this.seed, role, this.next(role));
  }

  /** A new address nobody sends from (a recipient). */
  newAddress(role = "recipient"): Address {
    return deriveAddress(this.seed, role, this.next(role));
  }

  /** The address the deployer's next contract gets (its next CREATE nonce). */
  nextContractAddress(): Address {
    return createAddress(this.deployer.address, this.#deployerNonce++);
  }

  /** A contract account: its code, nonce 1 (EIP-161) unless told; its balance and storage stay. */
  putContract(address: Address, runtime: Uint8Array, nonce = 1n): void {
    let codeHash = this.#codeHashes.get(runtime);
    if (codeHash === undefined) {
      codeHash = keccak256(runtime);
      this.#codeHashes.set(runtime, codeHash);
    }
    const key = bytesKey(address.bytes);
    this.layer.accounts.set(key, { nonce, balance: this.layer.account(key)?.balance ?? 0n, codeHash });
    this.layer.code.set(key, runtime);
  }

  putSlot(address: Address, slot: bigint | Uint8Array, value: bigint | Uint8Array): void {
    const key = bytesKey(address.bytes);
    let slots = this.layer.storage.get(key);
    if (slots === undefined) {
      slots = new Map();
      this.layer.storage.set(key, slots);
    }
    // The layer keeps values without leading zeros (an empty value is zero), as `WeftStateManager` writes them.
    const bytes = typeof value === "bigint" ? (value === 0n ? EMPTY_BYTES : bigIntToBytes(value)) : stripZeros(value);
    slots.set(bytesKey(slot instanceof Uint8Array ? slot : word(slot)), bytes);
  }

  addBalance(address: Address, wei: bigint): void {
    const key = bytesKey(address.bytes);
    const account = this.layer.account(key) ?? emptyAccount();
    this.layer.accounts.set(key, { ...account, balance: account.balance + wei });
  }

  /** Ends the pre-state: the deployer's nonce counts the contracts it created, and it holds some ether. */
  finish(): StateLayer {
    const key = bytesKey(this.deployer.address.bytes);
    this.layer.accounts.set(key, { ...emptyAccount(), nonce: this.#deployerNonce, balance: 1_000n * ETHER });
    return this.layer;
  }

  private next(role: string): number {
    const index = this.#counters.get(role) ?? 0;
    this.#counters.set(role, index + 1);
    return index;
  }
}

function stripZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return start === 0 ? bytes : bytes.slice(start);
}
