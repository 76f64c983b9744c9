/**
 * Validator registrations (builder-specs `registerValidator`): per proposer, the fee recipient and gas limit it
 * wants, kept only when its BLS signature verifies under DOMAIN_APPLICATION_BUILDER.
 *
 * A batch is judged item by item: a malformed entry, a future timestamp or a bad signature refuses that entry
 * alone, and the others in the same batch still count. Validator clients send every registration again each
 * epoch, so an entry identical to the one held is accepted without verifying it again; new entries are checked
 * together with one randomised batch verification (`verifyMultipleAggregateSignatures`), and only when that
 * fails one by one, to name the bad ones. A correctly signed entry older than the one held is ignored (not an
 * error: the newest registration wins, as relays do); a badly signed one is refused whatever its timestamp.
 */
import { PublicKey, Signature, type SignatureSet, verify, verifyMultipleAggregateSignatures } from "@chainsafe/blst";
import { type bellatrix, ssz } from "@lodestar/types";
import { Counter } from "prom-client";
import { registry as metricsRegistry } from "../shared/metrics.js";
import { ApiError, type ApiErrorCode } from "./errors.js";
import { computeSigningRoot } from "./signing.js";

export interface Registration {
  pubkey: Uint8Array;
  pubkeyHex: string;
  feeRecipient: Uint8Array;
  gasLimit: number;
  /** Unix seconds, as signed. */
  timestamp: number;
  signature: Uint8Array;
}

/** One entry of a batch: decoded, or the reason it could not be. */
export type RegistrationEntry = { value: bellatrix.SignedValidatorRegistrationV1 } | { error: ApiError };

export interface RegistrationFailure {
  index: number;
  code: ApiErrorCode;
  message: string;
}

export interface RegisterResult {
  /** Entries now held (new, updated, or identical to what was held). */
  accepted: number;
  /** Entries older than the one held, left out. */
  ignored: number;
  failures: RegistrationFailure[];
}

export type RegistrationListener = (registration: Registration) => void;

export interface ValidatorRegistryOptions {
  /** DOMAIN_APPLICATION_BUILDER of the chain. */
  domain: Uint8Array;
  now?: () => number;
  /** How far ahead of weft's clock a timestamp may be, in seconds (default 10). */
  maxFutureSec?: number;
}

const registrationsTotal = new Counter({
  name: "weft_builder_registrations_total",
  help: "Validator registrations received, by outcome",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString("hex")}`;

export class ValidatorRegistry {
  readonly #byPubkey = new Map<string, Registration>();
  readonly #listeners = new Set<RegistrationListener>();
  readonly #domain: Uint8Array;
  readonly #now: () => number;
  readonly #maxFutureSec: number;

  constructor(options: ValidatorRegistryOptions) {
    this.#domain = options.domain;
    this.#now = options.now ?? Date.now;
    this.#maxFutureSec = options.maxFutureSec ?? 10;
  }

  get size(): number {
    return this.#byPubkey.size;
  }

  /** The registration of a proposer, by its `0x`-prefixed lowercase public key. */
  get(pubkeyHex: string): Registration | undefined {
    return this.#byPubkey.get(pubkeyHex);
  }

  onRegistered(listener: RegistrationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  register(entries: readonly RegistrationEntry[]): RegisterResult {
    const failures: RegistrationFailure[] = [];
    const fail = (index: number, error: ApiError) => {
      const message = error.details === undefined ? error.shortMessage : `${error.shortMessage}: ${error.details}`;
      failures.push({ index, code: error.code, message });
    };
    const nowSec = Math.floor(this.#now() / 1000);
    let accepted = 0;
    let ignored = 0;
    const toVerify: Array<{ index: number; registration: Registration; set: SignatureSet }> = [];

    for (const [index, entry] of entries.entries()) {
      if ("error" in entry) {
        fail(index, entry.error);
        continue;
      }
      const { message, signature } = entry.value;
      const registration: Registration = {
        pubkey: message.pubkey,
        pubkeyHex: hex(message.pubkey),
        feeRecipient: message.feeRecipient,
        gasLimit: message.gasLimit,
        timestamp: message.timestamp,
        signature,
      };
      if (message.timestamp > nowSec + this.#maxFutureSec) {
        fail(
          index,
          new ApiError("FUTURE_TIMESTAMP", `timestamp ${message.timestamp} is ahead of weft's clock (${nowSec})`),
        );
        continue;
      }
      const held = this.#byPubkey.get(registration.pubkeyHex);
      if (held !== undefined && sameRegistration(held, registration)) {
        accepted++;
        continue;
      }
      let set: SignatureSet;
      try {
        set = {
          msg: computeSigningRoot(ssz.bellatrix.ValidatorRegistrationV1.hashTreeRoot(message), this.#domain),
          pk: PublicKey.fromBytes(message.pubkey, true),
          sig: Signature.fromBytes(signature, true),
        };
      } catch {
        fail(index, new ApiError("INVALID_SIGNATURE", "the public key or signature is not a valid BLS point"));
        continue;
      }
      toVerify.push({ index, registration, set });
    }

    const valid = verifyAll(toVerify.map((v) => v.set));
    toVerify.forEach((item, i) => {
      if (!valid[i]) {
        fail(item.index, new ApiError("INVALID_SIGNATURE", "the registration's signature does not verify"));
        return;
      }
      // The held registration (perhaps stored by an earlier entry of this batch) may be newer.
      const held = this.#byPubkey.get(item.registration.pubkeyHex);
      if (held !== undefined && held.timestamp > item.registration.timestamp) {
        ignored++;
        return;
      }
      this.#byPubkey.set(item.registration.pubkeyHex, item.registration);
      accepted++;
      for (const listener of this.#listeners) listener(item.registration);
    });

    failures.sort((a, b) => a.index - b.index);
    registrationsTotal.inc({ outcome: "accepted" }, accepted);
    registrationsTotal.inc({ outcome: "ignored" }, ignored);
    registrationsTotal.inc({ outcome: "refused" }, failures.length);
    return { accepted, ignored, failures };
  }
}

function sameRegistration(a: Registration, b: Registration): boolean {
  return (
    a.timestamp === b.timestamp &&
    a.gasLimit === b.gasLimit &&
    Buffer.from(a.feeRecipient).equals(b.feeRecipient) &&
    Buffer.from(a.signature).equals(b.signature)
  );
}

/** Which of the sets verify: one batch check, and one by one only if the batch fails. */
function verifyAll(sets: readonly SignatureSet[]): boolean[] {
  if (sets.length === 0) return [];
  try {
    if (verifyMultipleAggregateSignatures(sets as SignatureSet[])) return sets.map(() => true);
  } catch {
    // fall through to one-by-one verification
  }
  return sets.map((set) => {
    try {
      return verify(set.msg, set.pk, set.sig);
    } catch {
      return false;
    }
  });
}
