/**
 * Execution-layer requests (EIP-7685, Prague): deposits read from the deposit contract's logs (EIP-6110), then
 * the withdrawal (EIP-7002) and consolidation (EIP-7251) queues drained by system calls, in that order, after
 * the block's withdrawals; the header's `requestsHash` commits to them. Ported from the execution specs'
 * `process_general_purpose_requests` (ethereumjs keeps its version internal to `runBlock`). The same requests are
 * decoded into the consensus layer's `ExecutionRequests` for a sealed payload (`decodeRequests`).
 */
import { genRequestsRoot } from "@ethereumjs/block";
import {
  Address,
  bigIntToAddressBytes,
  bytesToBigInt,
  CLRequest,
  CLRequestType,
  concatBytes,
  equalsBytes,
  hexToBytes,
} from "@ethereumjs/util";
import type { TxReceipt, VM } from "@ethereumjs/vm";
import type { electra } from "@lodestar/types";
import { sha256 } from "@noble/hashes/sha2.js";
import { ExecutionError } from "./errors.js";
import type { WeftStateManager } from "./state/stateManager.js";

const MAINNET_DEPOSIT_CONTRACT = "0x00000000219ab540356cbb839cbe05303d7705fa";
const DEPOSIT_TOPIC = hexToBytes("0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");
/** The DepositEvent's ABI layout: offsets of its five byte strings, then each at offset + 32, of fixed size. */
const DEPOSIT_FIELDS = [
  [160, 48],
  [256, 32],
  [320, 8],
  [384, 96],
  [512, 8],
] as const;
const DEPOSIT_LOG_SIZE = 576;

export interface BlockRequests {
  requests: CLRequest<CLRequestType>[];
  requestsHash: Uint8Array;
}

/** Whether a log is the deposit contract's `DepositEvent` (compared as bytes: every log of the block is seen). */
function isDepositLog(address: Uint8Array, topics: readonly Uint8Array[], contract: Uint8Array): boolean {
  const topic = topics[0];
  return topic !== undefined && equalsBytes(address, contract) && equalsBytes(topic, DEPOSIT_TOPIC);
}

function depositRequest(receipts: readonly TxReceipt[], contract: Uint8Array): CLRequest<CLRequestType> {
  const parts: Uint8Array[] = [];
  for (const receipt of receipts) {
    for (const [address, topics, data] of receipt.logs) {
      if (!isDepositLog(address, topics, contract)) continue;
      if (data.length !== DEPOSIT_LOG_SIZE) {
        throw new ExecutionError("BLOCK_EXECUTION_FAILED", "invalid deposit log: unsupported data layout");
      }
      DEPOSIT_FIELDS.forEach(([offset, size], field) => {
        const declaredOffset = bytesToBigInt(data.subarray(32 * field, 32 * field + 32));
        const declaredSize = bytesToBigInt(data.subarray(offset, offset + 32));
        if (declaredOffset !== BigInt(offset) || declaredSize !== BigInt(size)) {
          throw new ExecutionError("BLOCK_EXECUTION_FAILED", "invalid deposit log: unsupported data layout");
        }
        parts.push(data.subarray(offset + 32, offset + 32 + size));
      });
    }
  }
  return new CLRequest(CLRequestType.Deposit, concatBytes(...parts));
}

/**
 * A system call to a request contract, leaving the system account as it was; its output is the request data. A
 * call that fails makes the block invalid (EIP-7002, EIP-7251).
 */
async function systemRequest(
  vm: VM,
  state: WeftStateManager,
  type: CLRequestType,
  contractParam: string,
): Promise<CLRequest<CLRequestType>> {
  const contract = new Address(bigIntToAddressBytes(vm.common.param(contractParam)));
  const system = new Address(bigIntToAddressBytes(vm.common.param("systemAddress")));
  if ((await state.getAccount(contract)) === undefined) return new CLRequest(type, new Uint8Array());
  const systemAccount = await state.getAccount(system);
  const result = await vm.evm.runCall({
    caller: system,
    gasLimit: vm.common.param("systemCallGasLimit"),
    to: contract,
  });
  if (systemAccount === undefined) await state.deleteAccount(system);
  else await state.putAccount(system, systemAccount);
  if (result.execResult.exceptionError !== undefined) {
    throw new ExecutionError("BLOCK_EXECUTION_FAILED", `the system call to ${contract.toString()} failed`, {
      details: result.execResult.exceptionError.error,
    });
  }
  return new CLRequest(type, result.execResult.returnValue);
}

/** The block's requests and their hash, when the fork has EIP-7685; undefined before Prague. */
export async function accumulateRequests(
  vm: VM,
  state: WeftStateManager,
  receipts: readonly TxReceipt[],
): Promise<BlockRequests | undefined> {
  const common = vm.common;
  if (!common.isActivatedEIP(7685)) return undefined;
  const requests: CLRequest<CLRequestType>[] = [];
  state.beginTx();
  if (common.isActivatedEIP(6110)) {
    const configured = (common as unknown as { _chainParams: { depositContractAddress?: string } })._chainParams
      .depositContractAddress;
    requests.push(depositRequest(receipts, hexToBytes((configured ?? MAINNET_DEPOSIT_CONTRACT) as `0x${string}`)));
  }
  if (common.isActivatedEIP(7002)) {
    requests.push(await systemRequest(vm, state, CLRequestType.Withdrawal, "withdrawalRequestPredeployAddress"));
  }
  if (common.isActivatedEIP(7251)) {
    requests.push(await systemRequest(vm, state, CLRequestType.Consolidation, "consolidationRequestPredeployAddress"));
  }
  state.endTx();
  return { requests, requestsHash: genRequestsRoot(requests, common.customCrypto.sha256 ?? sha256) };
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
