import { DOMAIN_APPLICATION_BUILDER, DOMAIN_BEACON_PROPOSER } from "@lodestar/params";
import { describe, expect, test } from "vitest";
import { devnetChain, mainnetChain } from "../../src/api/chain.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { builderDomain, computeDomain, proposerDomain, signRoot, verifyRoot } from "../../src/api/signing.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

describe("signature domains", () => {
  test("mainnet DOMAIN_APPLICATION_BUILDER is the one MEV-Boost and the relays use", () => {
    // Genesis fork version 0x00000000 and a zero genesis validators root.
    expect(hex(builderDomain(mainnetChain()))).toBe(
      "0x00000001f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9",
    );
  });

  test("compute_domain puts the domain type first and 28 bytes of the fork data root after it", () => {
    const domain = computeDomain(DOMAIN_APPLICATION_BUILDER, new Uint8Array(4), new Uint8Array(32));
    expect(domain.length).toBe(32);
    expect(hex(domain.subarray(0, 4))).toBe("0x00000001");
  });

  test("the devnet's domains differ from mainnet's (no signature crosses over)", () => {
    const devnet = devnetChain({ genesisTimeSec: 0 });
    expect(hex(builderDomain(devnet))).not.toBe(hex(builderDomain(mainnetChain())));
    expect(hex(proposerDomain(devnet, 10)).slice(0, 10)).toBe(hex(DOMAIN_BEACON_PROPOSER));
  });

  test("mainnet's proposer domain follows the fork schedule", () => {
    const chain = mainnetChain();
    const electraSlot = chain.config.ELECTRA_FORK_EPOCH * 32;
    const fuluSlot = chain.config.FULU_FORK_EPOCH * 32;
    expect(hex(proposerDomain(chain, electraSlot))).not.toBe(hex(proposerDomain(chain, fuluSlot)));
    expect(chain.config.getForkName(fuluSlot)).toBe("fulu");
  });

  test("sign and verify; a wrong key, root, domain or malformed signature does not verify", () => {
    const key = keyFromEntropy(new Uint8Array(32).fill(1));
    const other = keyFromEntropy(new Uint8Array(32).fill(2));
    const root = new Uint8Array(32).fill(5);
    const domain = builderDomain(mainnetChain());
    const sig = signRoot(key.secretKey, root, domain);
    expect(verifyRoot(key.pubkey, root, domain, sig)).toBe(true);
    expect(verifyRoot(other.pubkey, root, domain, sig)).toBe(false);
    expect(verifyRoot(key.pubkey, new Uint8Array(32), domain, sig)).toBe(false);
    expect(verifyRoot(key.pubkey, root, new Uint8Array(32), sig)).toBe(false);
    expect(verifyRoot(key.pubkey, root, domain, new Uint8Array(96))).toBe(false);
    expect(verifyRoot(key.pubkey, root, domain, sig.subarray(0, 95))).toBe(false);
    expect(verifyRoot(new Uint8Array(48), root, domain, sig)).toBe(false);
  });
});
