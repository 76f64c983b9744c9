/**
 * The reference engine: unmodified `@ethereumjs/vm` `runBlock` on a `MerkleStateManager`, the way ethereumjs
 * itself executes a block. It is what the weft engine is compared against, for results and for speed.
 */

import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { createAccount, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { fromQuantity } from "../shared/hex.js";
import { decodeBlock, fixtureCommon, hasBlobTransactions, loadKzg } from "./chain.js";
import type { PreparedBlock, ReplayEngine } from "./engine.js";
import { ExecutionError } from "./errors.js";
import type { BlockFixture } from "./fixture.js";

/** A blockchain that knows only the ancestor hashes a fixture carries, which is all BLOCKHASH needs. */
export function fixtureBlockchain(blockHashes: Record<string, string>): EVMMockBlockchainInterface {
  const hashes = new Map<number, Uint8Array>();
  for (const [number, hash] of Object.entries(blockHashes))
    hashes.set(Number(number), hexToBytes(hash as `0x${string}`));
  const zero = new Uint8Array(32);
  return {
    getBlock: async (number: number) => {
      const hash = hashes.get(number) ?? zero;
      return { hash: () => hash };
    },
    putBlock: async () => {},
    shallowCopy() {
      return this;
    },
  } as unknown as EVMMockBlockchainInterface;
}

export async function buildMerkleState(fixture: BlockFixture, stateManager: MerkleStateManager, file?: string) {
  for (const [address, account] of Object.entries(fixture.preState)) {
    try {
      const addr = createAddressFromString(address);
      await stateManager.putAccount(
        addr,
        createAccount({ nonce: BigInt(account.nonce), balance: fromQuantity(account.balance) }),
      );
      if (account.code !== undefined && account.code !== "0x") {
        await stateManager.putCode(addr, hexToBytes(account.code as `0x${string}`));
      }
      for (const [key, value] of Object.entries(account.storage ?? {})) {
        const v = fromQuantity(value);
        if (v === 0n) continue;
        await stateManager.putStorage(
          addr,
          setLengthLeft(hexToBytes(`0x${key.slice(2).padStart(64, "0")}`), 32),
          hexToBytes(`0x${v.toString(16).padStart(v.toString(16).length + (v.toString(16).length % 2), "0")}`),
        );
      }
    } catch (cause) {
      throw new ExecutionError("STATE_BUILD_FAILED", `cannot build pre-state account ${address}`, {
        ...(file === undefined ? {} : { file }),
        account: address,
        cause,
      });
    }
  }
}

export const stockEngine: ReplayEngine = {
  name: "stock",
  async prepare(fixture: BlockFixture, file?: string): Promise<PreparedBlock> {
    if (hasBlobTransactions(fixture)) await loadKzg();
    const common = fixtureCommon(fixture);
    const block = decodeBlock(fixture, common, file);
    const stateManager = new MerkleStateManager({ common });
    await buildMerkleState(fixture, stateManager, file);
    const vm = await createVM({ common, stateManager, blockchain: fixtureBlockchain(fixture.blockHashes) });
    return {
      number: fixture.number,
      txCount: block.transactions.length,
      async run() {
        const result = await runBlock(vm, {
          block,
          generate: true,
          skipBlockValidation: true,
          skipHeaderValidation: true,
          skipHardForkValidation: true,
        });
        return {
          gasUsed: result.gasUsed,
          receiptsRoot: result.receiptsRoot,
          logsBloom: result.logsBloom,
          fallbacks: 0,
        };
      },
    };
  },
};
