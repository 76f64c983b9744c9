/** Human output of the CLI: aligned tables and a progress bar on stderr (only when stderr is a terminal). */
import { SingleBar } from "cli-progress";

export type Cell = string | number;

/** An aligned text table; numeric columns are right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((c, i) => {
        const s = String(c ?? "");
        const w = widths[i] ?? s.length;
        return numeric[i] ? s.padStart(w) : s.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

export interface Progress {
  tick(label: string): void;
  stop(): void;
}

/** A progress bar over `total` items on stderr; silent when stderr is not a terminal or `quiet` is set. */
export function createProgress(total: number, quiet: boolean): Progress {
  if (quiet || !process.stderr.isTTY || total === 0) return { tick() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: "{bar} {value}/{total} {label}",
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { label: "" });
  return {
    tick(label) {
      bar.increment(1, { label });
    },
    stop() {
      bar.stop();
    },
  };
}
