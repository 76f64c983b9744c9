/**
 * JSON logs on stderr (pino), so stdout stays free for `--json` results. A log line about a slot carries `slot`
 * and `sinceSlotStartMs`, the way beacon clients time block production from the slot start.
 */
import { type Logger, pino } from "pino";

export type { Logger };

export interface SlotClock {
  genesisTimeSec: number;
  secondsPerSlot: number;
}

let root: Logger | undefined;

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    { name: options.name ?? "weft", level: options.level ?? process.env.WEFT_LOG_LEVEL ?? "info", base: null },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** The process-wide logger; `WEFT_LOG_LEVEL` sets its level (default `info`). */
export function logger(): Logger {
  root ??= createLogger();
  return root;
}

/** Milliseconds since the start of `slot`, given the chain's clock. */
export function sinceSlotStartMs(clock: SlotClock, slot: number, nowMs: number = Date.now()): number {
  const slotStartMs = (clock.genesisTimeSec + slot * clock.secondsPerSlot) * 1000;
  return nowMs - slotStartMs;
}

/** A child logger whose every line carries `slot` and a fresh `sinceSlotStartMs`. */
export function slotLogger(parent: Logger, clock: SlotClock, slot: number, now: () => number = Date.now): Logger {
  return parent.child(
    { slot },
    { formatters: { log: (fields) => ({ ...fields, sinceSlotStartMs: sinceSlotStartMs(clock, slot, now()) }) } },
  );
}
