/**
 * Resolving a conflict group (rbuilder's conflict resolvers): its orders interact, so their value depends on
 * their order; several orderings are tried and the most profitable kept.
 *
 *   up to `ALL_PERMUTATIONS_MAX` orders: every permutation;
 *   more: greedy by profit, greedy by mev gas price, arrival order, the reverse of each, and a few seeded
 *   random shuffles.
 *
 * An ordering is evaluated by executing its orders in turn on a candidate block over the top-of-block state
 * (an order whose nonce is not reached yet waits until its sender's earlier order goes in; a failing one is
 * skipped). The winning evaluation's executions come back with it, so the block that merges the groups can
 * replay them instead of executing again. Evaluation is the same code in this thread and in a worker.
 *
 * Each group is also taken in plain arrival order the way the leftovers pass takes orders (`leftovers.ts`:
 * rounds in arrival order, retrying what failed): what the group's orders do in the conflict-group builder's
 * arrival-order candidate block, where the other groups touch none of their state. Those executions come back
 * apart (`arrival`): that candidate replays them instead of executing the orders that interact again.
 */
import type { ExecutionContext } from "../context.js";
import { BuildingError } from "../errors.js";
import type { OrderExecution } from "../executeOrder.js";
import type { ExecutionEnv } from "../executionEnv.js";
import type { Order } from "../orders/order.js";
import type { CancellationToken } from "../simulation/cancellation.js";
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";
import { retryLeftovers } from "./leftovers.js";
import { type CommitSimulation, PartialBlock } from "./partialBlock.js";

/** Groups this small get every permutation tried (4! = 24 evaluations). */
export const ALL_PERMUTATIONS_MAX = 4;
/** Seeded random orderings tried for a larger group. */
export const RANDOM_ORDERINGS = 4;

export interface GroupTask {
  groupId: number;
  orderIds: string[];
  /** Orderings to try: each a permutation of positions in `orderIds`, with a name for reports. */
  orderings: Array<{ name: string; order: number[] }>;
}

export interface GroupResult {
  groupId: number;
  /** The committed orders of the best ordering, in block order, with what each did. */
  committed: Array<{ orderId: string; execution: OrderExecution }>;
  profit: bigint;
  gasUsed: bigint;
  /**
   * The committed orders of the group taken in arrival order as the leftovers pass takes them, in block order
   * (absent when cancelled first).
   */
  arrival?: Array<{ orderId: string; execution: OrderExecution }>;
  /** The winning ordering's name. */
  ordering: string;
  /** Orderings evaluated. */
  evaluated: number;
}

export interface GroupResolver {
  resolve(tasks: readonly GroupTask[], token?: CancellationToken): Promise<GroupResult[]>;
}

/** The orderings to try for a group (positions in `group`). */
export function candidateOrderings(group: readonly SimulatedOrder[], seed = 1): GroupTask["orderings"] {
  const n = group.length;
  const positions = Array.from({ length: n }, (_, i) => i);
  if (n <= ALL_PERMUTATIONS_MAX) {
    return permutations(positions).map((order, i) => ({ name: `permutation ${i}`, order }));
  }
  const by = (cmp: (a: SimulatedOrder, b: SimulatedOrder) => number) =>
    [...positions].sort((a, b) => cmp(group[a] as SimulatedOrder, group[b] as SimulatedOrder));
  const desc = (x: bigint, y: bigint) => (x > y ? -1 : x < y ? 1 : 0);
  const profit = by((a, b) => desc(a.profit, b.profit) || a.order.seq - b.order.seq);
  const gasPrice = by((a, b) => desc(a.mevGasPrice, b.mevGasPrice) || a.order.seq - b.order.seq);
  const arrival = by((a, b) => a.order.seq - b.order.seq);
  const out = [
    { name: "greedy profit", order: profit },
    { name: "greedy mev gas price", order: gasPrice },
    { name: "arrival", order: arrival },
    { name: "reverse profit", order: [...profit].reverse() },
    { name: "reverse mev gas price", order: [...gasPrice].reverse() },
    { name: "reverse arrival", order: [...arrival].reverse() },
  ];
  let state = (seed * 2654435761 + n) >>> 0;
  const random = () => {
    // xorshift32: a few shuffles need no better generator, only reproducibility.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let r = 0; r < RANDOM_ORDERINGS; r++) {
    const order = [...positions];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    out.push({ name: `random ${r}`, order });
  }
  return out;
}

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  const out: number[][] = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([item, ...rest]);
  });
  return out;
}

/**
 * Tries each ordering of a group's orders on a fresh candidate block; keeps the most profitable. Top-of-block
 * simulations, when given, are replayed where they still hold (the first order of every ordering, and any
 * order whose reads the ones before it left alone), so an ordering costs only the executions that conflict.
 */
export async function evaluateGroup(
  env: ExecutionEnv,
  ctx: ExecutionContext,
  orders: readonly Order[],
  task: GroupTask,
  simulations: ReadonlyMap<string, CommitSimulation> = new Map(),
  cancelled: () => boolean = () => false,
): Promise<GroupResult> {
  let best: GroupResult | undefined;
  let evaluated = 0;
  const seen = new Set<string>();
  for (const ordering of task.orderings) {
    if (cancelled()) break;
    const signature = ordering.order.join(",");
    if (seen.has(signature)) continue;
    seen.add(signature);
    const block = new PartialBlock(ctx, env);
    let waiting: Order[] = [];
    for (const position of ordering.order) {
      const order = orders[position] as Order;
      const result = await block.commit(order, simulations.get(order.id));
      if (result.ok) {
        // An order parked for its nonce may be ready now.
        let progress = waiting.length > 0;
        while (progress) {
          progress = false;
          const still: Order[] = [];
          for (const w of waiting) {
            const r = await block.commit(w, simulations.get(w.id));
            if (r.ok) progress = true;
            else if (r.failure.code === "NONCE_PENDING") still.push(w);
          }
          waiting = still;
        }
      } else if (result.failure.code === "NONCE_PENDING") {
        waiting.push(order);
      }
    }
    evaluated++;
    // The most profitable; between equals, the one using less gas (it leaves more room in the merged block).
    if (
      best === undefined ||
      block.value > best.profit ||
      (block.value === best.profit && block.gasUsed < best.gasUsed)
    ) {
      best = {
        groupId: task.groupId,
        committed: block.orders.map((c) => ({ orderId: c.order.id, execution: c.execution })),
        profit: block.value,
        gasUsed: block.gasUsed,
        ordering: ordering.name,
        evaluated: 0,
      };
    }
  }
  const result: GroupResult = best ?? {
    groupId: task.groupId,
    committed: [],
    profit: 0n,
    gasUsed: 0n,
    ordering: "none",
    evaluated: 0,
  };
  result.evaluated = evaluated;
  const arrival = await evaluateArrival(env, ctx, orders, simulations, cancelled);
  if (arrival !== undefined) result.arrival = arrival;
  return result;
}

/** The group's orders in arrival order through the leftovers pass, on a fresh candidate block. */
async function evaluateArrival(
  env: ExecutionEnv,
  ctx: ExecutionContext,
  orders: readonly Order[],
  simulations: ReadonlyMap<string, CommitSimulation>,
  cancelled: () => boolean,
): Promise<GroupResult["arrival"]> {
  if (cancelled()) return undefined;
  const block = new PartialBlock(ctx, env);
  try {
    await retryLeftovers(
      block,
      orders,
      {
        get cancelled() {
          return cancelled();
        },
      },
      simulations,
    );
  } catch (error) {
    if (error instanceof BuildingError && error.code === "CANCELLED") return undefined;
    throw error;
  }
  return block.orders.map((c) => ({ orderId: c.order.id, execution: c.execution }));
}

/** Resolves groups one after the other in this thread. */
export function localResolver(
  env: ExecutionEnv,
  ctx: ExecutionContext,
  orders: ReadonlyMap<string, Order>,
  simulations: ReadonlyMap<string, CommitSimulation> = new Map(),
): GroupResolver {
  return {
    async resolve(tasks, token) {
      const out: GroupResult[] = [];
      for (const task of tasks) {
        const groupOrders = task.orderIds.map((id) => orders.get(id) as Order);
        out.push(await evaluateGroup(env, ctx, groupOrders, task, simulations, () => token?.cancelled ?? false));
      }
      return out;
    },
  };
}
