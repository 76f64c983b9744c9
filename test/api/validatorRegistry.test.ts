import { ForkName } from "@lodestar/params";
import { ssz } from "@lodestar/types";
import { describe, expect, test } from "vitest";
import { ApiError } from "../../src/api/errors.js";
import { decodeRegistrations } from "../../src/api/registerValidator.js";
import { builderDomain } from "../../src/api/signing.js";
import { ValidatorRegistry } from "../../src/api/validatorRegistry.js";
import { makeProposer, signedRegistration, testChain } from "./helpers.js";

const chain = testChain();
chain.at(10);
const registryFor = () => new ValidatorRegistry({ domain: builderDomain(chain), now: chain.now });
const [alice, bob, carol] = [makeProposer(1), makeProposer(2), makeProposer(3)];

describe("validator registrations", () => {
  test("good entries count even when others in the same batch are refused, one by one", () => {
    const registry = registryFor();
    const good = signedRegistration(chain, alice);
    const badSig = { ...signedRegistration(chain, bob), signature: signedRegistration(chain, carol).signature };
    const future = signedRegistration(chain, carol, { timestamp: Math.floor(chain.now() / 1000) + 3600 });
    const result = registry.register([
      { value: badSig },
      { value: good },
      { value: future },
      { error: new ApiError("MALFORMED_BODY", "not a registration") },
    ]);
    expect(result.accepted).toBe(1);
    expect(result.failures.map((f) => [f.index, f.code])).toEqual([
      [0, "INVALID_SIGNATURE"],
      [2, "FUTURE_TIMESTAMP"],
      [3, "MALFORMED_BODY"],
    ]);
    expect(registry.get(alice.pubkeyHex)?.gasLimit).toBe(36_000_000);
    expect(registry.get(bob.pubkeyHex)).toBeUndefined();
    expect(registry.get(carol.pubkeyHex)).toBeUndefined();
  });

  test("the newest registration wins; an older one, correctly signed, is ignored; a repeat is accepted as is", () => {
    const registry = registryFor();
    const now = Math.floor(chain.now() / 1000);
    const older = signedRegistration(chain, alice, { timestamp: now - 100, gasLimit: 30_000_000 });
    const newer = signedRegistration(chain, alice, { timestamp: now - 10, gasLimit: 60_000_000 });
    expect(registry.register([{ value: newer }]).accepted).toBe(1);
    const r = registry.register([{ value: older }, { value: newer }]);
    expect(r).toMatchObject({ accepted: 1, ignored: 1, failures: [] });
    expect(registry.get(alice.pubkeyHex)?.gasLimit).toBe(60_000_000);
    // The same entry within one batch, older first: the newer one ends up held.
    const fresh = registryFor();
    fresh.register([{ value: older }, { value: newer }]);
    expect(fresh.get(alice.pubkeyHex)?.gasLimit).toBe(60_000_000);
  });

  test("an older entry with a bad signature is refused, not ignored", () => {
    const registry = registryFor();
    const now = Math.floor(chain.now() / 1000);
    registry.register([{ value: signedRegistration(chain, alice) }]);
    const forged = { ...signedRegistration(chain, alice, { timestamp: now - 500 }), signature: new Uint8Array(96) };
    expect(registry.register([{ value: forged }]).failures[0]?.code).toBe("INVALID_SIGNATURE");
  });

  test("a registration is valid only in the builder domain it was signed for", () => {
    const foreign = new ValidatorRegistry({ domain: new Uint8Array(32).fill(1), now: chain.now });
    expect(foreign.register([{ value: signedRegistration(chain, alice) }]).failures[0]?.code).toBe("INVALID_SIGNATURE");
    // Builder messages sign with the genesis fork version, so they hold across forks of one chain.
    const electraDevnet = testChain(ForkName.electra);
    electraDevnet.at(10);
    expect(registryFor().register([{ value: signedRegistration(electraDevnet, alice) }]).accepted).toBe(1);
  });

  test("decoding: JSON entries one by one, SSZ as a list of fixed-size items, lenient integers refused", () => {
    const reg = signedRegistration(chain, alice);
    const json = ssz.bellatrix.SignedValidatorRegistrationV1.toJson(reg) as { message: Record<string, unknown> };
    const lenient = structuredClone(json);
    lenient.message.timestamp = "0x";
    const entries = decodeRegistrations([json, { junk: true }, lenient], "json");
    expect(entries.map((e) => ("error" in e ? e.error.code : "ok"))).toEqual([
      "ok",
      "MALFORMED_BODY",
      "MALFORMED_BODY",
    ]);
    const bytes = ssz.bellatrix.SignedValidatorRegistrationV1.serialize(reg);
    const two = new Uint8Array([...bytes, ...bytes]);
    expect(decodeRegistrations(two, "ssz")).toHaveLength(2);
    expect(() => decodeRegistrations(two.subarray(1), "ssz")).toThrow(/multiple of 180 bytes/);
    expect(() => decodeRegistrations({ not: "an array" }, "json")).toThrow(ApiError);
  });

  test("a large batch is verified in one go, and re-registering it costs no verification", () => {
    const registry = registryFor();
    const batch = Array.from({ length: 64 }, (_, i) => ({ value: signedRegistration(chain, makeProposer(100 + i)) }));
    expect(registry.register(batch).accepted).toBe(64);
    expect(registry.size).toBe(64);
    // Same entries again: accepted as identical (no new listener calls means no re-verification path taken).
    let notified = 0;
    registry.onRegistered(() => notified++);
    expect(registry.register(batch).accepted).toBe(64);
    expect(notified).toBe(0);
  });
});
