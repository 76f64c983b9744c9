/**
 * Signature domains and signing roots, as the consensus and builder specs define them:
 *
 *   compute_domain(domain_type, fork_version, genesis_validators_root):
 *       fork_data_root = hash_tree_root(ForkData(current_version=fork_version, genesis_validators_root=...))
 *       return domain_type + fork_data_root[:28]
 *   compute_signing_root(object, domain) = hash_tree_root(SigningData(object_root=hash_tree_root(object), domain))
 *
 * Builder messages (validator registrations, builder bids, relay bid traces) use DOMAIN_APPLICATION_BUILDER with
 * the genesis fork version and a zero genesis validators root (builder-specs, "Signing"), so they are valid across
 * forks. Blinded blocks use DOMAIN_BEACON_PROPOSER at the block's fork, as every beacon block does.
 */
import { PublicKey, type SecretKey, Signature, verify } from "@chainsafe/blst";
import { DOMAIN_APPLICATION_BUILDER, DOMAIN_BEACON_PROPOSER } from "@lodestar/params";
import { ssz } from "@lodestar/types";
import type { BuilderChain } from "./chain.js";

const ZERO_ROOT = new Uint8Array(32);

export function computeDomain(domainType: Uint8Array, forkVersion: Uint8Array, genesisValidatorsRoot: Uint8Array) {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({ currentVersion: forkVersion, genesisValidatorsRoot });
  const domain = new Uint8Array(32);
  domain.set(domainType, 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

export function computeSigningRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain });
}

/** DOMAIN_APPLICATION_BUILDER for this chain: its genesis fork version and a zero genesis validators root. */
export function builderDomain(chain: BuilderChain): Uint8Array {
  return computeDomain(DOMAIN_APPLICATION_BUILDER, chain.config.GENESIS_FORK_VERSION, ZERO_ROOT);
}

/** DOMAIN_BEACON_PROPOSER at the fork of `slot`, with the chain's genesis validators root. */
export function proposerDomain(chain: BuilderChain, slot: number): Uint8Array {
  return chain.config.getDomain(slot, DOMAIN_BEACON_PROPOSER, slot);
}

/** Signs an object's root in `domain`; the compressed 96-byte signature. */
export function signRoot(secretKey: SecretKey, objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return secretKey.sign(computeSigningRoot(objectRoot, domain)).toBytes();
}

/**
 * Whether `signature` by `pubkey` over an object's root in `domain` verifies. Malformed keys or signatures (not
 * on the curve, not in the subgroup, the point at infinity) do not verify; nothing here throws.
 */
export function verifyRoot(
  pubkey: Uint8Array | PublicKey,
  objectRoot: Uint8Array,
  domain: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const pk = pubkey instanceof PublicKey ? pubkey : PublicKey.fromBytes(pubkey, true);
    const sig = Signature.fromBytes(signature, true);
    return verify(computeSigningRoot(objectRoot, domain), pk, sig);
  } catch {
    return false;
  }
}
