/** Shared set-up of the building tests: signed transactions, and an order flow simulated once per file. */
import { RLP } from "@ethereumjs/rlp";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { type Address, bigIntToUnpaddedBytes, unpadBytes } from "@ethereumjs/util";
import { type BuildContext, createBuildContext } from "../../src/building/context.js";
import { SimulationPool, type SimulationReport } from "../../src/building/simulation/simulationPool.js";
import { generateOrderFlow, type OrderFlow, type OrderFlowOptions } from "../../src/devnet/orderFlow/index.js";
import {
  deriveSigner,
  type Signer,
  signHash,
  signingHash,
  WORKLOAD_BASE_FEE,
  workloadCommon,
} from "../../src/devnet/workloads/index.js";

export interface TxFields {
  chainId?: bigint;
  nonce: bigint;
  tip?: bigint;
  maxFee?: bigint;
  gasLimit?: bigint;
  to: Address;
  value?: bigint;
  data?: Uint8Array;
}

/** A signed EIP-1559 transaction as raw bytes; any chain id (to test refusals). */
export function rawTx(signer: Signer, f: TxFields): Uint8Array {
  const tip = f.tip ?? 1_000_000_000n;
  const fields = {
    chainId: f.chainId ?? 1n,
    nonce: f.nonce,
    maxPriorityFeePerGas: tip,
    maxFeePerGas: f.maxFee ?? 2n * WORKLOAD_BASE_FEE + tip,
    gasLimit: f.gasLimit ?? 21_000n,
    to: f.to,
    value: f.value ?? 0n,
    data: f.data ?? new Uint8Array(0),
  };
  const { v, r, s } = signHash(signingHash(fields), signer.key);
  const payload = RLP.encode([
    bigIntToUnpaddedBytes(fields.chainId),
    bigIntToUnpaddedBytes(fields.nonce),
    bigIntToUnpaddedBytes(fields.maxPriorityFeePerGas),
    bigIntToUnpaddedBytes(fields.maxFeePerGas),
    bigIntToUnpaddedBytes(fields.gasLimit),
    fields.to.bytes,
    bigIntToUnpaddedBytes(fields.value),
    fields.data,
    [],
    bigIntToUnpaddedBytes(v),
    // r and s are integers in RLP: no leading zero bytes (1 signature in 256 has one).
    unpadBytes(r),
    unpadBytes(s),
  ]);
  const out = new Uint8Array(payload.length + 1);
  out[0] = 2;
  out.set(payload, 1);
  return out;
}

const common = workloadCommon();

/** The same, decoded (chain 1). */
export function signedTx(signer: Signer, f: TxFields): TypedTransaction {
  return createTxFromRLP(rawTx(signer, f), { common }) as TypedTransaction;
}

export function testSigner(index: number): Signer {
  return deriveSigner(4242, "test-sender", index);
}

export interface Simulated {
  flow: OrderFlow;
  ctx: BuildContext;
  pool: SimulationPool;
  report: SimulationReport;
}

/** An order flow, its block context and its top-of-block simulation (in this thread). */
export async function simulatedFlow(options: OrderFlowOptions): Promise<Simulated> {
  const flow = generateOrderFlow(options);
  const ctx = await createBuildContext(flow.common, flow.attributes, flow.base);
  const pool = new SimulationPool({ workers: 0 });
  await pool.prepare(ctx);
  const report = await pool.simulate(flow.orders);
  return { flow, ctx, pool, report };
}
