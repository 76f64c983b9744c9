import type { EngineName, ReplayEngine } from "./engine.js";
import { stockEngine } from "./stock.js";
import { weftEngine } from "./weftEngine.js";

export const ENGINE_NAMES: readonly EngineName[] = ["weft", "stock"];

/** The engine called `name`, or undefined when weft has none by that name. */
export function engineByName(name: string): ReplayEngine | undefined {
  if (name === "weft") return weftEngine;
  if (name === "stock") return stockEngine;
  return undefined;
}
