/** The building algorithms by name (what `weft backtest --algorithm` takes). */
import type { BlockBuildingAlgorithm } from "./algorithm.js";
import { conflictGroupBuilder } from "./conflictGroupBuilder.js";
import { orderingBuilder } from "./orderingBuilder.js";

export const ALGORITHM_NAMES = ["mev-gas-price", "max-profit", "conflict-groups", "priority-fee"] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

export function algorithmByName(name: string): BlockBuildingAlgorithm | undefined {
  switch (name) {
    case "mev-gas-price":
    case "max-profit":
    case "priority-fee":
      return orderingBuilder(name);
    case "conflict-groups":
      return conflictGroupBuilder();
    default:
      return undefined;
  }
}
