import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ResultRing } from "../../../src/execution/parallel/resultRing.js";

const record = (seed: number, length: number) => Uint8Array.from({ length }, (_, i) => (seed * 31 + i) & 0xff);

function drained(ring: ResultRing): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  ring.drain((id, bytes) => out.push([id, [...bytes]]));
  return out;
}

describe("ResultRing", () => {
  test("records come out in order with their block ids, and a full ring refuses instead of overwriting", () => {
    const ring = new ResultRing(64);
    expect(ring.write(7, record(1, 10))).toBe(true);
    expect(ring.write(8, record(2, 3))).toBe(true);
    // 8 + 12 and 8 + 4 bytes used: 24 + 12 more would fit, 8 + 32 would not (and exceeds half the ring).
    // Larger than half the ring: refused whatever the room.
    expect(ring.write(9, record(3, 25))).toBe(false);
    expect(ring.write(10, record(4, 12))).toBe(true);
    // 20 + 12 + 20 bytes used of 64: a fourth record of 20 does not fit.
    expect(ring.write(11, record(5, 12))).toBe(false);
    expect(drained(ring)).toEqual([
      [7, [...record(1, 10)]],
      [8, [...record(2, 3)]],
      [10, [...record(4, 12)]],
    ]);
    expect(drained(ring)).toEqual([]);
    expect(ring.write(11, record(5, 12))).toBe(true);
    expect(drained(ring)).toEqual([[11, [...record(5, 12)]]]);
    // Freed by the drain: the next records wrap around the end of the data area.
    for (let k = 0; k < 10; k++) {
      expect(ring.write(k, record(k, 13))).toBe(true);
      expect(drained(ring)).toEqual([[k, [...record(k, 13)]]]);
    }
  });

  test("a consumer over the same buffer reads what the producer wrote", () => {
    const producer = new ResultRing(256);
    const consumer = new ResultRing(producer.buffer);
    producer.write(1, record(5, 40));
    expect(drained(consumer)).toEqual([[1, [...record(5, 40)]]]);
  });

  test("counters that wrap past 2^31 and 2^32 keep the ring consistent", () => {
    const ring = new ResultRing(128);
    const counters = new Int32Array(ring.buffer, 0, 2);
    counters[0] = 0x7fffffe0;
    counters[1] = 0x7fffffe0;
    for (let k = 0; k < 40; k++) {
      expect(ring.write(k, record(k, 17))).toBe(true);
      expect(ring.write(k + 100, record(k + 100, 5))).toBe(true);
      expect(drained(ring)).toEqual([
        [k, [...record(k, 17)]],
        [k + 100, [...record(k + 100, 5)]],
      ]);
    }
    expect(counters[0]).toBeLessThan(0);
    counters[0] = -8;
    counters[1] = -8;
    expect(ring.write(3, record(3, 20))).toBe(true);
    expect(drained(ring)).toEqual([[3, [...record(3, 20)]]]);
    expect(counters[0]).toBeGreaterThan(0);
  });

  test("property: every accepted record is read once, in order; refused ones never", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat(70).map((length) => ({ length })),
            fc.constant("drain" as const),
          ),
          {
            maxLength: 200,
          },
        ),
        (steps) => {
          const ring = new ResultRing(128);
          const expected: Array<[number, number[]]> = [];
          const seen: Array<[number, number[]]> = [];
          steps.forEach((step, k) => {
            if (step === "drain") seen.push(...drained(ring));
            else if (ring.write(k, record(k, step.length))) expected.push([k, [...record(k, step.length)]]);
          });
          seen.push(...drained(ring));
          expect(seen).toEqual(expected);
          // Refused only when it did not fit: an empty ring takes any record up to half its size.
          expect(ring.write(1, record(1, 56))).toBe(true);
          expect(ring.write(1, record(1, 57))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a capacity that is not a power of two is refused", () => {
    expect(() => new ResultRing(100)).toThrow(/power of two/);
    expect(() => new ResultRing(32)).toThrow(/at least 64/);
  });
});
