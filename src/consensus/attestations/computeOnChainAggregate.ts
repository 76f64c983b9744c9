/**
 * `compute_on_chain_aggregate` (electra/validator.md): network aggregates of one `AttestationData`, one committee
 * each, become the single on-chain `Attestation` EIP-7549 allows per data: aggregation bits concatenated in
 * committee order, committee bits set for each committee, signatures aggregated.
 */
import { BitArray } from "@chainsafe/ssz";
import { MAX_COMMITTEES_PER_SLOT } from "@lodestar/params";
import type { electra } from "@lodestar/types";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { AttestationError } from "./errors.js";

/** Aggregates BLS signatures (G2, 96 bytes each) into one. */
export type SignatureAggregator = (signatures: readonly Uint8Array[]) => Uint8Array;

/** `bls.Aggregate` with `@noble/curves` (Ethereum's scheme: public keys in G1, signatures in G2). */
export const aggregateSignaturesNoble: SignatureAggregator = (signatures) => {
  const bls = bls12_381.longSignatures;
  return bls.Signature.toBytes(bls.aggregateSignatures([...signatures]));
};

/** `get_committee_indices(committee_bits)`. */
export function getCommitteeIndices(committeeBits: BitArray): number[] {
  return committeeBits.getTrueBitIndexes();
}

export function computeOnChainAggregate(
  networkAggregates: readonly electra.Attestation[],
  aggregateSignatures: SignatureAggregator = aggregateSignaturesNoble,
): electra.Attestation {
  if (networkAggregates.length === 0) {
    throw new AttestationError("ATTESTATION_INVALID", "compute_on_chain_aggregate needs at least one aggregate");
  }
  const committeeOf = (a: electra.Attestation): number => {
    const indices = getCommitteeIndices(a.committeeBits);
    if (indices.length !== 1) {
      throw new AttestationError("ATTESTATION_INVALID", `a network aggregate has ${indices.length} committee bits`, {
        details: "network aggregates carry exactly one committee",
      });
    }
    return indices[0] as number;
  };
  const aggregates = [...networkAggregates].sort((a, b) => committeeOf(a) - committeeOf(b));
  const first = aggregates[0] as electra.Attestation;
  const bits: boolean[] = [];
  for (const a of aggregates) for (const b of a.aggregationBits.toBoolArray()) bits.push(b);
  const committeeIndices = new Set(aggregates.map(committeeOf));
  if (committeeIndices.size !== aggregates.length) {
    throw new AttestationError("ATTESTATION_INVALID", "two network aggregates of one committee", {
      details: "merge a committee's disjoint aggregates first",
    });
  }
  const committeeFlags = Array.from({ length: MAX_COMMITTEES_PER_SLOT }, (_, i) => committeeIndices.has(i));
  return {
    aggregationBits: BitArray.fromBoolArray(bits),
    data: first.data,
    committeeBits: BitArray.fromBoolArray(committeeFlags),
    signature: aggregateSignatures(aggregates.map((a) => a.signature)),
  };
}
