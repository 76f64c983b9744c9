/**
 * Every case of the shared shuffling vectors (mainnet: 90 rounds, minimal: 10), whole-list and per index:
 * mapping[i] = compute_shuffled_index(i, count, seed).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { PRESETS, type PresetName } from "../../../src/consensus/params.js";
import { computeShuffledIndex } from "../../../src/consensus/shuffle/computeShuffledIndex.js";
import { shuffleList, unshuffleList } from "../../../src/consensus/shuffle/shuffleList.js";
import { shuffleListJs, unshuffleListJs } from "../../../src/consensus/shuffle/shuffleListJs.js";
import { sharedPath } from "../../shared.js";

interface VectorCase {
  seed: string;
  count: number;
  rounds: number;
  mapping: number[];
}

interface VectorFile {
  preset: PresetName;
  rounds: number;
  cases: VectorCase[];
}

/** Per-index checks run on every index up to this count, on a spread sample above it. */
const PER_INDEX_ALL = 33;
const PER_INDEX_SAMPLE = 24;

function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

function sampleIndices(count: number): number[] {
  if (count <= PER_INDEX_ALL) return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>([0, 1, 255, 256, count - 2, count - 1].filter((i) => i < count));
  for (let k = 0; out.size < PER_INDEX_SAMPLE; k++) out.add(Math.floor((k * 2654435761) % count));
  return [...out];
}

for (const name of ["shuffling_mainnet.json", "shuffling_minimal.json"]) {
  const file = JSON.parse(readFileSync(sharedPath("vectors", name), "utf8")) as VectorFile;

  describe(name, () => {
    test("has cases, all with the preset's round count", () => {
      expect(file.cases.length).toBeGreaterThan(0);
      expect(file.rounds).toBe(PRESETS[file.preset].SHUFFLE_ROUND_COUNT);
      for (const c of file.cases) expect(c.rounds).toBe(file.rounds);
    });

    test.each(
      file.cases.map((c) => [c.seed.slice(0, 10), c.count, c] as const),
    )("seed %s… count %i", (_seed, count, c) => {
      const seed = Buffer.from(c.seed.slice(2), "hex");
      const mapping = Uint32Array.from(c.mapping);
      expect(mapping.length).toBe(count);

      expect(unshuffleList(identity(count), seed, c.rounds)).toEqual(mapping);
      expect(unshuffleListJs(identity(count), seed, c.rounds)).toEqual(mapping);

      // shuffleList is the inverse: element i lands where compute_shuffled_index sends it.
      const inverse = new Uint32Array(count);
      for (let i = 0; i < count; i++) inverse[mapping[i] as number] = i;
      expect(shuffleList(identity(count), seed, c.rounds)).toEqual(inverse);
      expect(shuffleListJs(identity(count), seed, c.rounds)).toEqual(inverse);

      for (const i of sampleIndices(count)) {
        expect(computeShuffledIndex(i, count, seed, c.rounds)).toBe(mapping[i]);
      }
    });
  });
}
