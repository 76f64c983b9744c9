import { BitArray } from "@chainsafe/ssz";
import { type electra, type phase0, ssz } from "@lodestar/types";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { describe, expect, test } from "vitest";
import { AttestationPool, type PackingContext } from "../../../src/consensus/attestations/attestationPool.js";
import { AttestationError } from "../../../src/consensus/attestations/errors.js";
import { evaluateSelection } from "../../../src/consensus/attestations/evaluateSelection.js";
import { packExact } from "../../../src/consensus/attestations/packExact.js";
import type { ElectraSelection } from "../../../src/consensus/attestations/packingInstance.js";
import { registry } from "../../../src/shared/metrics.js";

const bls = bls12_381.longSignatures;
const SLOT = 100;
const committees: Record<number, number[]> = { 0: [10, 11, 12, 13, 14, 15, 16, 17], 1: [20, 21, 22, 23, 24, 25] };
const secretKeys = new Map<number, Uint8Array>();
for (const members of Object.values(committees)) {
  for (const v of members)
    secretKeys.set(
      v,
      Uint8Array.from({ length: 32 }, (_, i) => (v * 7 + i * 13 + 1) % 251),
    );
}

function attestationData(slot = SLOT, headByte = 1): phase0.AttestationData {
  const data = ssz.phase0.AttestationData.defaultValue();
  data.slot = slot;
  data.beaconBlockRoot = new Uint8Array(32).fill(headByte);
  data.target.epoch = Math.floor(slot / 32);
  return data;
}

// Hashing to the curve is the slow part of signing: once per data.
const messages = new Map<string, ReturnType<typeof bls.hash>>();
const message = (data: phase0.AttestationData) => {
  const root = Buffer.from(ssz.phase0.AttestationData.hashTreeRoot(data)).toString("hex");
  let m = messages.get(root);
  if (m === undefined) {
    m = bls.hash(ssz.phase0.AttestationData.hashTreeRoot(data));
    messages.set(root, m);
  }
  return m;
};
const signatures = new Map<string, Uint8Array>();
const sign = (v: number, data: phase0.AttestationData) => {
  const key = `${v}/${Buffer.from(ssz.phase0.AttestationData.hashTreeRoot(data)).toString("hex")}`;
  let sig = signatures.get(key);
  if (sig === undefined) {
    sig = bls.Signature.toBytes(bls.sign(message(data), secretKeys.get(v) as Uint8Array));
    signatures.set(key, sig);
  }
  return sig;
};

function aggregate(data: phase0.AttestationData, committee: number, positions: number[]): electra.Attestation {
  const members = committees[committee] as number[];
  const bits = BitArray.fromBitLen(members.length);
  for (const p of positions) bits.set(p, true);
  const committeeBits = BitArray.fromBitLen(64);
  committeeBits.set(committee, true);
  const sigs = positions.map((p) => sign(members[p] as number, data));
  return {
    aggregationBits: bits,
    data,
    committeeBits,
    signature: bls.Signature.toBytes(bls.aggregateSignatures(sigs)),
  };
}

function single(data: phase0.AttestationData, committee: number, position: number): electra.SingleAttestation {
  const v = (committees[committee] as number[])[position] as number;
  return { committeeIndex: committee, attesterIndex: v, data, signature: sign(v, data) };
}

function context(participation = new Uint8Array(32)): PackingContext {
  return {
    mode: "electra",
    slot: SLOT + 1,
    correctness: (d) => ({ matchingSource: true, matchingTarget: true, matchingHead: d.beaconBlockRoot[0] === 1 }),
    currentEpochParticipation: participation,
    previousEpochParticipation: new Uint8Array(32),
    effectiveBalance: new Array(32).fill(32e9),
    baseRewardPerIncrement: 100,
  };
}

const newPool = (maxVotes?: number) =>
  new AttestationPool({
    committees: (_slot, index) => committees[index],
    ...(maxVotes === undefined ? {} : { maxVotes }),
  });

describe("AttestationPool", () => {
  test("keeps maximal aggregates, merges disjoint ones, tops up with singles", () => {
    const pool = newPool();
    const data = attestationData();
    expect(pool.addAggregate(aggregate(data, 0, [0, 1, 2, 3]))).toBe(true);
    expect(pool.addAggregate(aggregate(data, 0, [4, 5]))).toBe(true);
    expect(pool.addAggregate(aggregate(data, 0, [2, 3, 4, 7]))).toBe(true);
    expect(pool.addAggregate(aggregate(data, 0, [0, 1]))).toBe(false); // inside a known one
    expect(pool.addSingleAttestation(single(data, 0, 6))).toBe(true);
    expect(pool.addSingleAttestation(single(data, 0, 6))).toBe(false);
    expect(pool.addSingleAttestation(single(data, 0, 1))).toBe(false); // already in an aggregate
    const { instance, itemValidator } = pool.packingInstance(context());
    const aggs = instance.groups[0]?.committees[0]?.aggregates ?? [];
    const asValidators = aggs.map((a) => Array.from(a, (i) => itemValidator[i] as number).sort());
    // {A, B} merged with single 6, and {C} with single 6: maximal disjoint combinations.
    expect(asValidators).toEqual([
      [10, 11, 12, 13, 14, 15, 16],
      [12, 13, 14, 16, 17],
    ]);
    // Full flags at delay 1: base reward 32 × 100, weights 14 + 26 + 14.
    expect(instance.weights[0]).toBe(32 * 100 * 54);
  });

  test("packs into one on-chain aggregate per data whose signature verifies", () => {
    const pool = newPool();
    const data = attestationData();
    pool.addAggregate(aggregate(data, 0, [0, 1, 2]));
    pool.addAggregate(aggregate(data, 0, [3, 4]));
    pool.addAggregate(aggregate(data, 1, [0, 1, 2, 3]));
    pool.addSingleAttestation(single(data, 1, 5));
    const wrongHead = attestationData(SLOT, 2);
    pool.addAggregate(aggregate(wrongHead, 0, [5, 6]));
    const { instance } = pool.packingInstance(context());
    expect(instance.groups).toHaveLength(2);
    const result = packExact({ ...instance, limit: 1 });
    expect(result.optimal).toBe(true);
    const selection = result.selection as ElectraSelection[];
    expect(evaluateSelection({ ...instance, limit: 1 }, { mode: "electra", selection })).toBe(result.value);
    const [att] = pool.attestationsForBlock(selection);
    if (att === undefined) throw new Error("no attestation");
    expect(att.committeeBits.getTrueBitIndexes()).toEqual([0, 1]);
    // Committee 0 (8 bits: 0..4 set) then committee 1 (6 bits: 0..3 and 5 set).
    expect(att.aggregationBits.toBoolArray().map(Number)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1]);
    const attesters = [10, 11, 12, 13, 14, 20, 21, 22, 23, 25];
    const publicKey = bls.aggregatePublicKeys(attesters.map((v) => bls.getPublicKey(secretKeys.get(v) as Uint8Array)));
    expect(bls.verify(att.signature, message(data), publicKey)).toBe(true);
  });

  test("validators already counted on chain are worth nothing", () => {
    const pool = newPool();
    const data = attestationData();
    pool.addAggregate(aggregate(data, 0, [0, 1]));
    pool.addAggregate(aggregate(data, 1, [0, 1]));
    const participation = new Uint8Array(32);
    participation[10] = 7;
    participation[11] = 7;
    participation[20] = 7;
    const { instance, itemValidator } = pool.packingInstance(context(participation));
    // Committee 0's aggregate adds nothing and is left out; committee 1's still pays for validator 21.
    expect(instance.groups[0]?.committees.map((c) => c.index)).toEqual([1]);
    expect(Array.from(itemValidator)).toEqual([20, 21]);
    expect(instance.covered).toEqual([0]);
    expect(instance.weights).toEqual([0, 32 * 100 * 54]);
  });

  test("prunes what can no longer be included and stays within its bound", async () => {
    const pool = newPool(3);
    pool.addAggregate(aggregate(attestationData(SLOT - 64), 0, [0]));
    pool.addAggregate(aggregate(attestationData(SLOT), 0, [1]));
    expect(pool.size).toBe(2);
    expect(pool.prune(SLOT + 1)).toBe(1);
    pool.addAggregate(aggregate(attestationData(SLOT + 1), 0, [2]));
    pool.addAggregate(aggregate(attestationData(SLOT + 2), 0, [3]));
    pool.addAggregate(aggregate(attestationData(SLOT + 3), 0, [4]));
    expect(pool.size).toBe(3);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/weft_attestation_pool_votes 3/);
    expect(metrics).toMatch(/weft_attestation_pool_evicted_total 1/);
  });

  test("rejects votes that do not fit their committee", () => {
    const pool = newPool();
    const data = attestationData();
    expect(() => pool.addSingleAttestation({ ...single(data, 0, 0), attesterIndex: 99 })).toThrow(AttestationError);
    expect(() => pool.addAggregate({ ...aggregate(data, 0, [0]), aggregationBits: BitArray.fromBitLen(3) })).toThrow(
      /length 3/,
    );
    const committeeBits = BitArray.fromBitLen(64);
    committeeBits.set(5, true);
    const stray = { ...aggregate(data, 0, [0]), committeeBits };
    expect(() => pool.addAggregate(stray)).toThrow(/no committee 5/);
  });
});
