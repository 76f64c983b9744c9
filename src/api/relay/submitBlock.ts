/**
 * Relay submission (the relay's `POST /relay/v1/builder/blocks`): a bid goes to each configured relay as a
 * `SubmitBlockRequest` (the signed `BidTrace`, the payload, its blobs bundle and execution requests), SSZ or
 * JSON, gzipped or not. Every relay is tried in parallel; each result (status, latency, and when in the slot it
 * came back, `sinceSlotStartMs`) is logged and returned, and one relay's failure never affects another.
 *
 * Relay URLs follow MEV-Boost's convention `https://0x<relay pubkey>@host`: the pubkey identifies the relay in
 * logs and metrics and is never sent as credentials.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { ContainerType } from "@chainsafe/ssz";
import { ssz } from "@lodestar/types";
import { type Logger, slotLogger } from "../../shared/logger.js";
import type { ReadyBid } from "../bidSource.js";
import { type BuilderChain, type BuilderFork, slotStartMs } from "../chain.js";
import { ApiError } from "../errors.js";
import type { BuilderKey } from "../keys.js";
import { relaySubmissionSeconds, relaySubmissionsTotal } from "../metrics.js";
import { computeSigningRoot } from "../signing.js";
import { MEDIA_TYPE } from "../wireFormat.js";

const gzipAsync = promisify(gzip);

/** The relay specification's BidTrace: what the builder commits to for a slot, signed in the builder domain. */
export const BidTrace = new ContainerType(
  {
    slot: ssz.Slot,
    parentHash: ssz.Root,
    blockHash: ssz.Root,
    builderPubkey: ssz.BLSPubkey,
    proposerPubkey: ssz.BLSPubkey,
    proposerFeeRecipient: ssz.ExecutionAddress,
    gasLimit: ssz.UintNum64,
    gasUsed: ssz.UintNum64,
    value: ssz.UintBn256,
  },
  { typeName: "BidTrace", jsonCase: "eth2" },
);
export type BidTraceValue = ReturnType<typeof BidTrace.defaultValue>;

function submitBlockRequestType<B extends typeof ssz.deneb.BlobsBundle | typeof ssz.fulu.BlobsBundle>(blobsBundle: B) {
  return new ContainerType(
    {
      message: BidTrace,
      executionPayload: ssz.electra.ExecutionPayload,
      blobsBundle,
      executionRequests: ssz.electra.ExecutionRequests,
      signature: ssz.BLSSignature,
    },
    { typeName: "SubmitBlockRequest", jsonCase: "eth2" },
  );
}

/** `SubmitBlockRequest` per fork: Electra's blobs bundle has a proof per blob, Fulu's a proof per cell. */
export const SubmitBlockRequest = {
  electra: submitBlockRequestType(ssz.deneb.BlobsBundle),
  fulu: submitBlockRequestType(ssz.fulu.BlobsBundle),
} as const;

export type SubmitBlockRequestValue = ReturnType<typeof SubmitBlockRequest.electra.defaultValue>;

export interface RelayEndpoint {
  /** `origin + path` to post to, without credentials. */
  url: URL;
  /** The relay's name in logs and metrics: its pubkey when the URL names one, else its host. */
  label: string;
}

/** Parses a relay URL (`https://0xpubkey@relay.example`); BAD_CONFIG when it is not one. */
export function parseRelayUrl(raw: string): RelayEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new ApiError("BAD_CONFIG", `not a relay URL: ${JSON.stringify(raw)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError("BAD_CONFIG", `a relay URL is http or https, not ${url.protocol}`);
  }
  const label = url.username !== "" ? url.username : url.host;
  url.username = "";
  url.password = "";
  return { url: new URL("/relay/v1/builder/blocks", url), label };
}

export interface ProposerOfBid {
  pubkey: Uint8Array;
  feeRecipient: Uint8Array;
  gasLimit: number;
}

/** The signed submission of `bid` for `proposer`. */
export function createSubmitBlockRequest(
  bid: ReadyBid,
  proposer: ProposerOfBid,
  key: BuilderKey,
  domain: Uint8Array,
): SubmitBlockRequestValue {
  const message: BidTraceValue = {
    slot: bid.slot,
    parentHash: bid.payload.parentHash,
    blockHash: bid.payload.blockHash,
    builderPubkey: key.pubkey,
    proposerPubkey: proposer.pubkey,
    proposerFeeRecipient: proposer.feeRecipient,
    gasLimit: bid.payload.gasLimit,
    gasUsed: bid.payload.gasUsed,
    value: bid.value,
  };
  const signature = key.sign(computeSigningRoot(BidTrace.hashTreeRoot(message), domain));
  return {
    message,
    executionPayload: bid.payload,
    blobsBundle: bid.blobsBundle,
    executionRequests: bid.executionRequests,
    signature,
  };
}

export interface RelaySubmitOptions {
  chain: BuilderChain;
  relays: readonly RelayEndpoint[];
  /** SSZ (default) or JSON bodies. */
  encoding?: "ssz" | "json";
  /** Gzip the body (default false). */
  gzip?: boolean;
  /** Per-relay timeout (default 2000 ms). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface RelaySubmission {
  relay: string;
  ok: boolean;
  /** HTTP status, or undefined when no answer came (network error, timeout). */
  status: number | undefined;
  latencyMs: number;
  /** When the answer came, measured from the start of the bid's slot. */
  sinceSlotStartMs: number;
  error?: string;
}

/** Encodes the request once for every relay. */
export async function encodeSubmitBlockRequest(
  fork: BuilderFork,
  request: SubmitBlockRequestValue,
  encoding: "ssz" | "json",
  compress: boolean,
): Promise<{ body: Uint8Array; headers: Record<string, string> }> {
  const type = SubmitBlockRequest[fork];
  const raw =
    encoding === "ssz"
      ? type.serialize(request as never)
      : new TextEncoder().encode(JSON.stringify(type.toJson(request as never)));
  const headers: Record<string, string> = {
    "Content-Type": MEDIA_TYPE[encoding],
    "Eth-Consensus-Version": fork,
  };
  if (!compress) return { body: raw, headers };
  headers["Content-Encoding"] = "gzip";
  return { body: new Uint8Array(await gzipAsync(raw)), headers };
}

export async function submitBlock(
  fork: BuilderFork,
  request: SubmitBlockRequestValue,
  options: RelaySubmitOptions,
): Promise<RelaySubmission[]> {
  const { chain, relays } = options;
  const slot = request.message.slot;
  const { body, headers } = await encodeSubmitBlockRequest(
    fork,
    request,
    options.encoding ?? "ssz",
    options.gzip ?? false,
  );
  const log =
    options.logger === undefined
      ? undefined
      : slotLogger(
          options.logger,
          { genesisTimeSec: chain.genesisTimeSec, secondsPerSlot: chain.secondsPerSlot },
          slot,
          chain.now,
        );
  const slotStart = slotStartMs(chain, slot);
  return Promise.all(
    relays.map(async (relay): Promise<RelaySubmission> => {
      const start = performance.now();
      let status: number | undefined;
      let error: string | undefined;
      try {
        const res = await fetch(relay.url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
        status = res.status;
        const text = await res.text();
        if (!res.ok) error = text.slice(0, 300) || res.statusText;
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
      const latencyMs = performance.now() - start;
      const ok = error === undefined;
      const result: RelaySubmission = {
        relay: relay.label,
        ok,
        status,
        latencyMs,
        sinceSlotStartMs: chain.now() - slotStart,
      };
      if (error !== undefined) result.error = error;
      relaySubmissionsTotal.inc({ relay: relay.label, outcome: ok ? "ok" : String(status ?? "unreachable") });
      relaySubmissionSeconds.observe({ relay: relay.label }, latencyMs / 1000);
      const fields = {
        relay: relay.label,
        status,
        latencyMs: Math.round(latencyMs * 10) / 10,
        blockHash: `0x${Buffer.from(request.message.blockHash).toString("hex")}`,
        value: request.message.value.toString(),
      };
      if (ok) log?.info(fields, "block submitted to relay");
      else log?.warn({ ...fields, error }, "relay refused or did not answer the block submission");
      return result;
    }),
  );
}
