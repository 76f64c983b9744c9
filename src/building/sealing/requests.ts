/**
 * EIP-7685 execution requests of a sealed block (Prague/Electra and later), as the consensus layer receives
 * them beside the payload:
 *
 *   deposits (EIP-6110): the deposit contract's `DepositEvent` logs in the block's receipts, in order;
 *   withdrawal requests (EIP-7002) and consolidations (EIP-7251): a system call (from the system address,
 *     30M gas) to each predeploy after the transactions, whose return data is the queue it dequeued; a
 *     predeploy that does not exist yields no request, as ethereumjs's `accumulateRequests` does;
 *   → the header's `requestsHash`: sha256 of the sha256 of every non-empty `type ‖ data` (EIP-7685).
 *
 * Written here rather than called from ethereumjs because its accumulator is internal to `runBlock`; the steps
 * follow `@ethereumjs/vm`'s `requests.ts` and the EIPs.
 */
import { Mainnet } from "@ethereumjs/common";
import { Address, bigIntToAddressBytes, bytesToHex, CLRequest, CLRequestType } from "@ethereumjs/util";
import type { TxReceipt, VM } from "@ethereumjs/vm";
import type { electra } from "@lodestar/types";
import { sha256 } from "@noble/hashes/sha2.js";
import type { WeftStateManager } from "../../execution/state/stateManager.js";
import { BuildingError } from "../errors.js";

const DEPOSIT_TOPIC = "0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5";
/** The deposit event's data: five dynamic byte fields, ABI-encoded (576 bytes). */
const DEPOSIT_LOG_SIZE = 576;

export interface BlockRequests {
  /** In type order, empty ones included (what `requestsHash` is computed over). */
  requests: CLRequest<CLRequestType>[];
  requestsHash: Uint8Array;
  /** The same, decoded into the consensus layer's containers. */
  executionRequests: electra.ExecutionRequests;
}

export async function accumulateRequests(vm: VM, state: WeftStateManager, receipts: readonly TxReceipt[]) {
  const common = vm.common;
  const requests: CLRequest<CLRequestType>[] = [];
  if (common.isActivatedEIP(6110)) requests.push(depositRequests(receipts));
  if (common.isActivatedEIP(7002)) {
    requests.push(await systemCallRequest(vm, state, CLRequestType.Withdrawal, "withdrawalRequestPredeployAddress"));
  }
  if (common.isActivatedEIP(7251)) {
    requests.push(
      await systemCallRequest(vm, state, CLRequestType.Consolidation, "consolidationRequestPredeployAddress"),
    );
  }
  return { requests, requestsHash: requestsHash(requests), executionRequests: decodeRequests(requests) };
}

/** EIP-7685: sha256(sha256(r₀) ‖ sha256(r₁) ‖ …) over the requests with data. */
export function requestsHash(requests: readonly CLRequest<CLRequestType>[]): Uint8Array {
  const parts = requests.filter((r) => r.bytes.length > 1).map((r) => sha256(r.bytes));
  return sha256(Buffer.concat(parts));
}

function depositRequests(receipts: readonly TxReceipt[]): CLRequest<CLRequestType> {
  const address = Mainnet.depositContractAddress?.toLowerCase();
  const out: Uint8Array[] = [];
  for (const receipt of receipts) {
    for (const [logAddress, topics, data] of receipt.logs) {
      if (topics.length === 0 || bytesToHex(topics[0] as Uint8Array) !== DEPOSIT_TOPIC) continue;
      if (bytesToHex(logAddress).toLowerCase() !== address) continue;
      if (data.length !== DEPOSIT_LOG_SIZE) {
        throw new BuildingError(
          "SEAL_FAILED",
          `a deposit event has ${data.length} bytes of data, not ${DEPOSIT_LOG_SIZE}`,
        );
      }
      // Field values sit after their 32-byte length words at the fixed offsets 160, 256, 320, 384, 512.
      out.push(
        data.subarray(192, 240), // pubkey (48)
        data.subarray(288, 320), // withdrawal credentials (32)
        data.subarray(352, 360), // amount (8, little-endian gwei)
        data.subarray(416, 512), // signature (96)
        data.subarray(544, 552), // index (8, little-endian)
      );
    }
  }
  return new CLRequest(CLRequestType.Deposit, Buffer.concat(out));
}

async function systemCallRequest(
  vm: VM,
  state: WeftStateManager,
  type: CLRequestType,
  param: "withdrawalRequestPredeployAddress" | "consolidationRequestPredeployAddress",
): Promise<CLRequest<CLRequestType>> {
  const common = vm.common;
  const to = new Address(bigIntToAddressBytes(common.param(param)));
  if ((await state.getAccount(to)) === undefined) return new CLRequest(type, new Uint8Array(0));
  const system = new Address(bigIntToAddressBytes(common.param("systemAddress")));
  const systemAccount = await state.getAccount(system);
  const result = await vm.evm.runCall({ caller: system, to, gasLimit: common.param("systemCallGasLimit") });
  if (systemAccount === undefined) await state.deleteAccount(system);
  else await state.putAccount(system, systemAccount);
  if (result.execResult.exceptionError !== undefined) {
    throw new BuildingError("SEAL_FAILED", `the system call to ${to.toString()} failed`, {
      details: result.execResult.exceptionError.error,
    });
  }
  return new CLRequest(type, result.execResult.returnValue);
}

/** The request bytes as the consensus layer's `ExecutionRequests` (EIP-6110, 7002, 7251 layouts). */
export function decodeRequests(requests: readonly CLRequest<CLRequestType>[]): electra.ExecutionRequests {
  const out: electra.ExecutionRequests = { deposits: [], withdrawals: [], consolidations: [] };
  for (const request of requests) {
    const data = request.data;
    switch (request.type) {
      case CLRequestType.Deposit:
        for (let at = 0; at + 192 <= data.length; at += 192) {
          out.deposits.push({
            pubkey: data.slice(at, at + 48),
            withdrawalCredentials: data.slice(at + 48, at + 80),
            amount: Number(Buffer.from(data.subarray(at + 80, at + 88)).readBigUInt64LE()),
            signature: data.slice(at + 88, at + 184),
            index: Buffer.from(data.subarray(at + 184, at + 192)).readBigUInt64LE(),
          });
        }
        break;
      case CLRequestType.Withdrawal:
        for (let at = 0; at + 76 <= data.length; at += 76) {
          out.withdrawals.push({
            sourceAddress: data.slice(at, at + 20),
            validatorPubkey: data.slice(at + 20, at + 68),
            amount: Buffer.from(data.subarray(at + 68, at + 76)).readBigUInt64BE(),
          });
        }
        break;
      case CLRequestType.Consolidation:
        for (let at = 0; at + 116 <= data.length; at += 116) {
          out.consolidations.push({
            sourceAddress: data.slice(at, at + 20),
            sourcePubkey: data.slice(at + 20, at + 68),
            targetPubkey: data.slice(at + 68, at + 116),
          });
        }
        break;
    }
  }
  return out;
}
