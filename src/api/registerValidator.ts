/**
 * `POST /eth/v1/builder/validators`: a JSON array or an SSZ list of `SignedValidatorRegistrationV1`, decoded
 * entry by entry so that one malformed entry is refused alone (its index and reason in the answer) while the
 * rest of the batch is still judged.
 */
import { VALIDATOR_REGISTRY_LIMIT } from "@lodestar/params";
import { type bellatrix, ssz } from "@lodestar/types";
import { describeCause } from "../shared/errors.js";
import { ApiError } from "./errors.js";
import type { RegistrationEntry } from "./validatorRegistry.js";
import { fromJsonStrict, type WireFormat } from "./wireFormat.js";

const Registration = ssz.bellatrix.SignedValidatorRegistrationV1;
/** Every SignedValidatorRegistrationV1 has the same SSZ size (180 bytes): the list is a plain concatenation. */
const REGISTRATION_SIZE = Registration.fixedSize as number;

export function decodeRegistrations(body: unknown, format: WireFormat): RegistrationEntry[] {
  if (format === "ssz") {
    if (!(body instanceof Uint8Array) || body.length % REGISTRATION_SIZE !== 0) {
      throw new ApiError("MALFORMED_BODY", `an SSZ list of registrations is a multiple of ${REGISTRATION_SIZE} bytes`);
    }
    const count = body.length / REGISTRATION_SIZE;
    if (count > VALIDATOR_REGISTRY_LIMIT) throw new ApiError("MALFORMED_BODY", "too many registrations");
    const entries: RegistrationEntry[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = body.subarray(i * REGISTRATION_SIZE, (i + 1) * REGISTRATION_SIZE);
      entries.push(decodeEntry(i, () => Registration.deserialize(bytes)));
    }
    return entries;
  }
  if (!Array.isArray(body)) {
    throw new ApiError("MALFORMED_BODY", "the body must be a JSON array of signed validator registrations");
  }
  return body.map((item, i) => decodeEntry(i, () => fromJsonStrict(Registration, item)));
}

function decodeEntry(index: number, decode: () => bellatrix.SignedValidatorRegistrationV1): RegistrationEntry {
  try {
    return { value: decode() };
  } catch (cause) {
    return {
      error: new ApiError("MALFORMED_BODY", `registration ${index} is not a SignedValidatorRegistrationV1`, {
        index,
        details: describeCause(cause) ?? "unknown",
      }),
    };
  }
}
