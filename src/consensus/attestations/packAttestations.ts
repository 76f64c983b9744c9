/**
 * One interface over the packing algorithms, for both forms (phase0 and Electra): `greedy` (lazy greedy, the
 * clients' method), `exact` (branch and bound with budget split, anytime) and `ilp` (HiGHS). Every algorithm
 * starts from greedy's selection, so none returns less, and `optimal` is true only with a proof.
 */
import { AttestationError } from "./errors.js";
import { packExact } from "./packExact.js";
import { packGreedy } from "./packGreedy.js";
import { packIlp } from "./packIlp.js";
import type { PackingAlgorithmName, PackingInstance, PackingResult } from "./packingInstance.js";

export const PACKING_ALGORITHMS: readonly PackingAlgorithmName[] = ["greedy", "exact", "ilp"];

export interface PackAttestationsOptions {
  algorithm?: PackingAlgorithmName;
  /** Milliseconds until the search returns its best (exact and ilp; default: until proved). */
  deadlineMs?: number;
}

export function isPackingAlgorithm(name: string): name is PackingAlgorithmName {
  return (PACKING_ALGORITHMS as readonly string[]).includes(name);
}

export async function packAttestations(
  instance: PackingInstance,
  options: PackAttestationsOptions = {},
): Promise<PackingResult> {
  const algorithm = options.algorithm ?? "exact";
  const deadline = options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs };
  switch (algorithm) {
    case "greedy":
      return packGreedy(instance);
    case "exact":
      return packExact(instance, deadline);
    case "ilp":
      return packIlp(instance, deadline);
    default:
      throw new AttestationError("UNKNOWN_ALGORITHM", `unknown packing algorithm "${String(algorithm)}"`, {
        details: `choose one of: ${PACKING_ALGORITHMS.join(", ")}`,
      });
  }
}
