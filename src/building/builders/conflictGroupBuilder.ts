/**
 * The conflict-group builder (rbuilder's parallel builder):
 *
 *   simulated orders → conflict groups by read/write overlap (`conflictGroups.ts`; kept across builds of a block,
 *     the orders that arrived since the last build added)
 *   → a group of one is worth its simulation; larger groups are resolved by trying orderings
 *     (`resolveGroups.ts`), in parallel when the resolver has workers
 *   → merge: the groups' best results go into one block, replayed from their evaluations where nothing they read
 *     was changed by a group before them; tried group by group densest (profit per gas) first and richest
 *     first, and in plain arrival order, and the most valuable block kept: which wins depends on how tight the
 *     gas limit is (a transaction with a generous gas limit needs that much room left at its turn);
 *   → orders left out get another try on the merged block (`leftovers.ts`; with nothing merged first, that is
 *     the arrival-order candidate, which replays each group's own arrival-order executions from its resolution:
 *     orders that interact are executed once per group, ahead of the builds, instead of in every build).
 */
import { BuildingError } from "../errors.js";
import type { OrderExecution } from "../executeOrder.js";
import type { Order } from "../orders/order.js";
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";
import type { BlockBuildingAlgorithm, BuildBlockInput, BuiltBlock } from "./algorithm.js";
import { ConflictFinder } from "./conflictGroups.js";
import { retryLeftovers } from "./leftovers.js";
import { type CommitSimulation, MIN_TX_GAS, PartialBlock } from "./partialBlock.js";
import { candidateOrderings, type GroupResult, type GroupTask, localResolver } from "./resolveGroups.js";

interface GroupOutcome {
  /** Orders in block order, each with the execution to replay and the orders it was executed on top of. */
  members: Array<{ order: Order; execution: OrderExecution; base: readonly string[] }>;
  profit: bigint;
  gasUsed: bigint;
  /** Profit per million gas (computed once: the rankings compare it n log n times). */
  density: bigint;
  /** `profit` and `density` as doubles: compared first, as bigint comparisons are slow (see `descending`). */
  profitKey: number;
  densityKey: number;
}

function outcome(members: GroupOutcome["members"], profit: bigint, gasUsed: bigint): GroupOutcome {
  const density = gasUsed > 0n ? (profit * 1_000_000n) / gasUsed : 0n;
  return { members, profit, gasUsed, density, profitKey: Number(profit), densityKey: Number(density) };
}

/**
 * Descending order of bigints `x`, `y` given their doubles `kx`, `ky`: rounding to a double never reverses an
 * order, so different doubles decide, and only equal ones (rare) compare the bigints. The same order as
 * comparing the bigints alone, at a fraction of the cost.
 */
function descending(kx: number, ky: number, x: bigint, y: bigint): number {
  if (kx !== ky) return kx > ky ? -1 : 1;
  return x > y ? -1 : x < y ? 1 : 0;
}

export const CONFLICT_GROUPS = "conflict-groups";

export interface ConflictGroupBuilderStats {
  /** Groups of more than one order in the last build, and how many of them were resolved by it (not cached). */
  groups: number;
  resolved: number;
  /** Milliseconds the last build spent resolving groups. */
  resolveMs: number;
}

/**
 * A conflict-group builder. The grouping and the resolved groups are kept per block context, the groups keyed by
 * their members: a later build of the same block (new orders arrived, one was cancelled) groups only the new
 * orders (`ConflictFinder`) and resolves only the groups that changed, as rbuilder's conflict-resolving pool
 * works ahead of the block assembly.
 */
export function conflictGroupBuilder(): BlockBuildingAlgorithm & { readonly stats: ConflictGroupBuilderStats } {
  const cache = new WeakMap<object, { resolved: Map<string, GroupResult>; finder: ConflictFinder }>();
  const stats: ConflictGroupBuilderStats = { groups: 0, resolved: 0, resolveMs: 0 };
  return {
    name: CONFLICT_GROUPS,
    stats,
    async buildBlock(input: BuildBlockInput): Promise<BuiltBlock> {
      const start = performance.now();
      const { ctx, env, token } = input;
      let kept = cache.get(ctx);
      if (kept === undefined) {
        kept = { resolved: new Map(), finder: new ConflictFinder() };
        cache.set(ctx, kept);
      }
      const { resolved, finder } = kept;
      const groups = finder.update(input.orders);
      const outcomes: GroupOutcome[] = [];
      const tasks: GroupTask[] = [];
      const signatures = new Map<number, string>();
      const byId = new Map<string, Order>();
      const simulations = new Map<string, SimulatedOrder>();
      const results: GroupResult[] = [];
      groups.forEach((group, groupId) => {
        if (group.length === 1) {
          const sim = group[0] as SimulatedOrder;
          outcomes.push(
            outcome([{ order: sim.order, execution: sim.execution, base: sim.base }], sim.profit, sim.gasUsed),
          );
          return;
        }
        for (const sim of group) {
          byId.set(sim.order.id, sim.order);
          simulations.set(sim.order.id, sim);
        }
        const signature = group
          .map((s) => s.order.id)
          .sort()
          .join(",");
        const known = resolved.get(signature);
        if (known !== undefined) {
          results.push(known);
          return;
        }
        signatures.set(groupId, signature);
        tasks.push({
          groupId,
          orderIds: group.map((s) => s.order.id),
          orderings: candidateOrderings(group, groupId + 1),
        });
      });
      // The biggest groups first, so that parallel workers do not finish on one long task.
      tasks.sort((a, b) => b.orderIds.length * b.orderings.length - a.orderIds.length * a.orderings.length);
      const cached = results.length;
      const resolveStart = performance.now();
      const resolver = input.resolver ?? localResolver(env, ctx, byId, simulations);
      for (const result of await resolver.resolve(tasks, token)) {
        resolved.set(signatures.get(result.groupId) as string, result);
        results.push(result);
      }
      stats.groups = cached + tasks.length;
      stats.resolved = tasks.length;
      stats.resolveMs = performance.now() - resolveStart;
      if (token?.cancelled) throw new BuildingError("CANCELLED", "conflict-group build cancelled");
      for (const result of results) {
        const members: GroupOutcome["members"] = [];
        for (const c of result.committed) {
          members.push({
            order: byId.get(c.orderId) as Order,
            execution: c.execution,
            base: members.map((m) => m.order.id),
          });
        }
        if (members.length > 0) outcomes.push(outcome(members, result.profit, result.gasUsed));
      }

      const byProfit = [...outcomes].sort((a, b) => descending(a.profitKey, b.profitKey, a.profit, b.profit));
      const byDensity = [...outcomes].sort((a, b) => descending(a.densityKey, b.densityKey, a.density, b.density));
      const members = (ranking: readonly GroupOutcome[]) => ranking.flatMap((o) => o.members);
      // What every candidate's leftovers pass needs: every order, and the top-of-block simulations by id.
      const leftovers: Leftovers = {
        all: [...input.orders.map((s) => s.order), ...(input.unsimulated ?? [])],
        simulations: new Map(input.orders.map((s) => [s.order.id, s])),
      };
      let best: { block: PartialBlock; failed: number } | undefined;
      for (const ranking of [members(byDensity), members(byProfit)]) {
        const merged = await merge(input, leftovers, ranking);
        if (best === undefined || merged.block.value > best.block.value) best = merged;
      }
      // Arrival order, order by order, each with its top-of-block simulation (replayed where nothing it read has
      // changed): the orders in the order they came fit the gas limit as they did for whoever sent them in that
      // order (in a backtest, the landed block), where a ranking of whole groups can leave a transaction with a
      // generous gas limit without room at its turn.
      const arrival = await merge(input, { ...leftovers, alternatives: groupArrivals(results) }, []);
      if (best === undefined || arrival.block.value > best.block.value) best = arrival;
      const chosen = best as { block: PartialBlock; failed: number };
      return { algorithm: CONFLICT_GROUPS, block: chosen.block, failed: chosen.failed, ms: performance.now() - start };
    },
  };
}

/**
 * Each resolved group's orders as the arrival-order candidate meets them (`GroupResult.arrival`): an execution
 * per order, on top of the group's orders before it, for that candidate to replay where it holds.
 */
export function groupArrivals(results: readonly GroupResult[]): Map<string, CommitSimulation> {
  const out = new Map<string, CommitSimulation>();
  for (const result of results) {
    const base: string[] = [];
    for (const c of result.arrival ?? []) {
      out.set(c.orderId, { execution: c.execution, base: [...base] });
      base.push(c.orderId);
    }
  }
  return out;
}

interface Leftovers {
  all: readonly Order[];
  simulations: ReadonlyMap<string, CommitSimulation>;
  /** Other executions to replay (the groups' arrival-order ones), by order id. */
  alternatives?: ReadonlyMap<string, CommitSimulation>;
}

async function merge(
  input: BuildBlockInput,
  leftovers: Leftovers,
  members: readonly GroupOutcome["members"][number][],
) {
  const block = new PartialBlock(input.ctx, input.env);
  let failed = 0;
  for (const member of members) {
    if (block.gasLeft < MIN_TX_GAS) break;
    if (input.token?.cancelled) throw new BuildingError("CANCELLED", "conflict-group build cancelled");
    const result = await block.commit(member.order, member);
    if (!result.ok) failed++;
  }
  // Everything not in: orders of groups that did not fit or failed, and orders that failed simulation.
  const out = leftovers.all.filter((o) => !block.has(o.id));
  failed =
    out.length -
    (await retryLeftovers(block, out, input.token, leftovers.simulations, leftovers.alternatives ?? new Map()));
  return { block, failed };
}
