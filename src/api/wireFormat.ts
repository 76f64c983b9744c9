/**
 * JSON or SSZ on the wire, as the Builder and Beacon APIs allow: `Content-Type` says what a request body is,
 * `Accept` (with q-values) what the client wants back. JSON is the default either way.
 */
import { ApiError } from "./errors.js";

export type WireFormat = "json" | "ssz";

export const MEDIA_TYPE: Readonly<Record<WireFormat, string>> = {
  json: "application/json",
  ssz: "application/octet-stream",
};

/** The format of a request body from its Content-Type (parameters such as `charset` ignored). */
export function requestWireFormat(contentType: string | undefined): WireFormat {
  const media = (contentType ?? MEDIA_TYPE.json).split(";", 1)[0]?.trim().toLowerCase();
  if (media === MEDIA_TYPE.json) return "json";
  if (media === MEDIA_TYPE.ssz) return "ssz";
  throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `unsupported body media type ${JSON.stringify(media)}`, {
    details: "send application/json or application/octet-stream (SSZ)",
  });
}

/**
 * The format to answer in, from an Accept header: the acceptable one with the higher q-value, JSON on a tie or
 * when the header is absent; throws NOT_ACCEPTABLE when the client accepts neither.
 */
export function responseWireFormat(accept: string | undefined): WireFormat {
  if (accept === undefined || accept.trim() === "") return "json";
  let json = -1;
  let ssz = -1;
  for (const part of accept.split(",")) {
    const [rawType, ...params] = part.split(";");
    const type = rawType?.trim().toLowerCase() ?? "";
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split("=").map((s) => s.trim());
      if (name === "q" && value !== undefined) {
        const parsed = Number(value);
        q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    if (type === MEDIA_TYPE.json) json = Math.max(json, q);
    else if (type === MEDIA_TYPE.ssz) ssz = Math.max(ssz, q);
    else if (type === "*/*" || type === "application/*") {
      json = Math.max(json, q);
      ssz = Math.max(ssz, q);
    }
  }
  if (json <= 0 && ssz <= 0) {
    throw new ApiError("NOT_ACCEPTABLE", `cannot answer in any of ${JSON.stringify(accept)}`, {
      details: "accept application/json or application/octet-stream (SSZ)",
    });
  }
  return ssz > json ? "ssz" : "json";
}

/** A container type as `@chainsafe/ssz` gives it: JSON both ways. */
export interface JsonType<T> {
  fromJson(json: unknown): T;
  toJson(value: T): unknown;
}

/**
 * Decodes JSON into a container and refuses what the Beacon API's JSON does not allow but `fromJson` would let
 * through (it parses integers leniently: "0x" reads as 0, "-1" as -1, "1.5" as 1). The decoded value is
 * written back to JSON and must match the input: integers as decimal strings (or the same safe integer as a
 * number), hex in either case, every field present; fields the container does not have are ignored.
 */
export function fromJsonStrict<T>(type: JsonType<T>, json: unknown): T {
  const value = type.fromJson(json);
  const mismatch = firstMismatch(type.toJson(value), json, "");
  if (mismatch !== undefined) throw new Error(`${mismatch} is not canonical JSON for its type`);
  return value;
}

function firstMismatch(canonical: unknown, input: unknown, path: string): string | undefined {
  if (typeof canonical === "string") {
    if (typeof input === "string") {
      const same = canonical.startsWith("0x") ? canonical.toLowerCase() === input.toLowerCase() : canonical === input;
      return same ? undefined : path || "the value";
    }
    if (typeof input === "number" && /^[0-9]+$/.test(canonical)) {
      return Number.isSafeInteger(input) && String(input) === canonical ? undefined : path || "the value";
    }
    return path || "the value";
  }
  if (Array.isArray(canonical)) {
    if (!Array.isArray(input) || input.length !== canonical.length) return path || "the list";
    for (let i = 0; i < canonical.length; i++) {
      const m = firstMismatch(canonical[i], input[i], `${path}[${i}]`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  if (canonical !== null && typeof canonical === "object") {
    if (input === null || typeof input !== "object" || Array.isArray(input)) return path || "the object";
    for (const [key, child] of Object.entries(canonical)) {
      const m = firstMismatch(child, (input as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  return canonical === input ? undefined : path || "the value";
}
