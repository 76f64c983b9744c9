/**
 * A cancellation token per slot (rbuilder's `CancellationToken`): when the parent changes or the slot is over,
 * the token is cancelled and all work for it stops at its next check. The flag lives in shared memory so that
 * simulation workers see it between two orders without a message round trip; `signal` is an `AbortSignal`
 * for the main thread's awaits.
 */
import { BuildingError } from "../errors.js";

export class CancellationToken {
  readonly label: string;
  /** Int32 flag: 0 live, 1 cancelled. Hand it to workers (`CancellationToken.view`). */
  readonly shared: SharedArrayBuffer;
  readonly #flag: Int32Array;
  readonly #controller = new AbortController();

  constructor(label: string) {
    this.label = label;
    this.shared = new SharedArrayBuffer(4);
    this.#flag = new Int32Array(this.shared);
  }

  get cancelled(): boolean {
    return Atomics.load(this.#flag, 0) === 1;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  cancel(): void {
    if (this.cancelled) return;
    Atomics.store(this.#flag, 0, 1);
    this.#controller.abort(new BuildingError("CANCELLED", `${this.label} was cancelled`));
  }

  throwIfCancelled(): void {
    if (this.cancelled) throw new BuildingError("CANCELLED", `${this.label} was cancelled`);
  }

  /** A worker's view of a token's flag. */
  static view(shared: SharedArrayBuffer): { readonly cancelled: boolean } {
    const flag = new Int32Array(shared);
    return {
      get cancelled() {
        return Atomics.load(flag, 0) === 1;
      },
    };
  }
}
