import { describe, expect, test } from "vitest";
import {
  getAttestationParticipationFlagIndices,
  proposerRewardNumerator,
} from "../../../src/consensus/attestations/getAttestationParticipationFlagIndices.js";

const all = { matchingSource: true, matchingTarget: true, matchingHead: true };

describe("participation flags and proposer reward weights", () => {
  test("timely source within 5 slots, head only at delay 1, target at any delay (Deneb+)", () => {
    expect(getAttestationParticipationFlagIndices(all, 1)).toBe(0b111);
    expect(getAttestationParticipationFlagIndices(all, 2)).toBe(0b011);
    expect(getAttestationParticipationFlagIndices(all, 5)).toBe(0b011);
    expect(getAttestationParticipationFlagIndices(all, 6)).toBe(0b010);
    expect(getAttestationParticipationFlagIndices(all, 40)).toBe(0b010);
  });

  test("a wrong head loses only the head flag, a wrong target loses target and head", () => {
    expect(getAttestationParticipationFlagIndices({ ...all, matchingHead: false }, 1)).toBe(0b011);
    expect(getAttestationParticipationFlagIndices({ ...all, matchingTarget: false }, 1)).toBe(0b001);
    expect(getAttestationParticipationFlagIndices({ ...all, matchingSource: false }, 1)).toBe(0);
  });

  test("only newly set flags pay the proposer", () => {
    expect(proposerRewardNumerator(1000, 0b111, 0)).toBe(1000 * 54);
    expect(proposerRewardNumerator(1000, 0b111, 0b011)).toBe(1000 * 14);
    expect(proposerRewardNumerator(1000, 0b011, 0b111)).toBe(0);
  });
});
