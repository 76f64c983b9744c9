/**
 * Who proposes which slot, as far as weft knows: the validator index from the beacon node's
 * `payload_attributes` events (or the devnet), and the public key when a source knows it (proposer duties).
 * A blinded block must come from this proposer when it is known.
 */
export interface ProposerDuty {
  validatorIndex: number;
  /** `0x`-prefixed lowercase public key, when known. */
  pubkeyHex?: string;
}

export class ProposerDuties {
  readonly #bySlot = new Map<number, ProposerDuty>();
  readonly #keepSlots: number;

  constructor(options: { keepSlots?: number } = {}) {
    this.#keepSlots = options.keepSlots ?? 64;
  }

  set(slot: number, duty: ProposerDuty): void {
    const known = this.#bySlot.get(slot);
    // A later source that knows the key completes what an earlier one (index only) said.
    const pubkeyHex = duty.pubkeyHex ?? (known?.validatorIndex === duty.validatorIndex ? known.pubkeyHex : undefined);
    this.#bySlot.set(slot, pubkeyHex === undefined ? { validatorIndex: duty.validatorIndex } : { ...duty, pubkeyHex });
    for (const s of this.#bySlot.keys()) if (s < slot - this.#keepSlots) this.#bySlot.delete(s);
  }

  get(slot: number): ProposerDuty | undefined {
    return this.#bySlot.get(slot);
  }
}
