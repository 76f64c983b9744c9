import type { EngineName, ReplayEngine } from "./engine.js";
import { stockEngine } from "./stock.js";
import { createWeftEngine, weftEngine } from "./weftEngine.js";

export const ENGINE_NAMES: readonly EngineName[] = ["weft", "stock"];

/** The engine called `name` (with `threads` executing threads), or undefined when weft has none by that name. */
export function engineByName(name: string, threads = 1): ReplayEngine | undefined {
  if (name === "weft") return threads === 1 ? weftEngine : createWeftEngine({ threads });
  if (name === "stock") return threads === 1 ? stockEngine : undefined;
  return undefined;
}
