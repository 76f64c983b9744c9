/**
 * Calls to cumulative-hash actors (`contracts/hashActor.ts`). Hot calls all go to one shared instance, whose
 * hash then depends on their order; every other call has an instance of its own. Instances have a history:
 * a random hash and a call count of 1–1000 at genesis. Calldata is 32–96 random bytes.
 */
import type { Address } from "@ethereumjs/util";
import { HASH_ACTOR_RUNTIME } from "./contracts/hashActor.js";
import type { GenesisBuilder } from "./genesis.js";
import { hotCount, type TxIntent, type WorkloadPart } from "./plan.js";

/** ~32k gas used (21k intrinsic, calldata, two cold SSTOREs of non-zero slots); the limit leaves room. */
export const HASH_ACTOR_GAS_LIMIT = 100_000n;

export function planHashActorCalls(genesis: GenesisBuilder, count: number, conflictRate: number): WorkloadPart {
  const random = genesis.random;
  const hot = hotCount(count, conflictRate);
  const instances: Address[] = [];
  for (let i = 0; i < count - hot + (hot > 0 ? 1 : 0); i++) {
    const address = genesis.nextContractAddress();
    genesis.putContract(address, HASH_ACTOR_RUNTIME);
    genesis.putSlot(address, 0n, random.bytes(32));
    genesis.putSlot(address, 1n, BigInt(1 + random.int(1000)));
    instances.push(address);
  }
  const intents: TxIntent[] = [];
  for (let i = 0; i < count; i++) {
    const to = instances[i < hot ? 0 : i - hot + (hot > 0 ? 1 : 0)] as Address;
    const data = random.bytes(32 * (1 + random.int(3)));
    intents.push({ from: genesis.newSigner(), to, value: 0n, data, gasLimit: HASH_ACTOR_GAS_LIMIT });
  }
  return {
    intents,
    conflicting: hot,
    noun: "hash-actor calls",
    setting: `to ${instances.length} instance${instances.length === 1 ? "" : "s"}`,
    hotSpot: `${hot} on one shared instance`,
  };
}
