import { hexToBytes, KECCAK256_NULL } from "@ethereumjs/util";
import { keccak256 } from "../crypto/native.js";
import { ExecutionError } from "../errors.js";
import type { FixtureAccount } from "../fixture.js";
import { StateLayer } from "./layer.js";

/** A base state layer holding a fixture's pre-state; an account that cannot be read is named in the error. */
export function stateFromFixture(preState: Record<string, FixtureAccount>, file?: string): StateLayer {
  const base = new StateLayer();
  for (const [address, account] of Object.entries(preState)) {
    try {
      const key = address.toLowerCase().replace(/^0x/, "").padStart(40, "0");
      if (key.length !== 40 || !/^[0-9a-f]+$/.test(key)) throw new Error(`not an address: ${address}`);
      const code =
        account.code === undefined || account.code === "0x"
          ? new Uint8Array(0)
          : hexToBytes(account.code as `0x${string}`);
      base.accounts.set(key, {
        nonce: BigInt(account.nonce),
        balance: BigInt(account.balance),
        codeHash: code.length === 0 ? KECCAK256_NULL : keccak256(code),
      });
      if (code.length > 0) base.code.set(key, code);
      const slots = new Map<string, Uint8Array>();
      for (const [slot, value] of Object.entries(account.storage ?? {})) {
        const v = BigInt(value);
        if (v === 0n) continue;
        const hex = v.toString(16);
        slots.set(BigInt(slot).toString(16).padStart(64, "0"), hexToBytes(`0x${hex.length % 2 ? "0" : ""}${hex}`));
      }
      if (slots.size > 0) base.storage.set(key, slots);
    } catch (cause) {
      throw new ExecutionError("STATE_BUILD_FAILED", `cannot build pre-state account ${address}`, {
        ...(file === undefined ? {} : { file }),
        account: address,
        cause,
      });
    }
  }
  return base;
}
