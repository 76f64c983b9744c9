import { Writable } from "node:stream";
import { pino } from "pino";
import { expect, test } from "vitest";
import { sinceSlotStartMs, slotLogger } from "../../src/shared/logger.js";
import { registry } from "../../src/shared/metrics.js";

test("slot log lines carry slot and sinceSlotStartMs", () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const clock = { genesisTimeSec: 1000, secondsPerSlot: 12 };
  let now = (1000 + 5 * 12) * 1000 + 250;
  const log = slotLogger(pino({ base: null }, sink), clock, 5, () => now);
  log.info("Begin building block");
  now += 40;
  log.info({ txs: 3 }, "Finished building block");
  const [a, b] = lines.map((l) => JSON.parse(l));
  expect(a).toMatchObject({ slot: 5, sinceSlotStartMs: 250, msg: "Begin building block" });
  expect(b).toMatchObject({ slot: 5, sinceSlotStartMs: 290, txs: 3 });
  expect(sinceSlotStartMs(clock, 0, 1_000_000)).toBe(0);
});

test("the metrics registry renders Prometheus text", async () => {
  expect(typeof (await registry.metrics())).toBe("string");
});
