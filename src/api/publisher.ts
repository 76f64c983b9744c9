/**
 * Publishing an unblinded block (builder-specs `submitBlindedBlockV2`: the builder publishes, the proposer gets a
 * 202). `beaconNodePublisher` posts the block contents (block, KZG proofs, blobs) as SSZ to a beacon node's
 * `POST /eth/v2/beacon/blocks`, which gossips it.
 */
import { type electra, ssz } from "@lodestar/types";
import type { BlobsBundle } from "./bidSource.js";
import type { BuilderFork } from "./chain.js";
import { ApiError } from "./errors.js";
import { MEDIA_TYPE } from "./wireFormat.js";

export interface PublishedBlock {
  fork: BuilderFork;
  signedBlock: electra.SignedBeaconBlock;
  blobsBundle: BlobsBundle;
}

export interface BlockPublisher {
  publish(block: PublishedBlock): Promise<void>;
}

/** The SSZ `SignedBlockContents` of a published block. */
export function encodeBlockContents(block: PublishedBlock): Uint8Array {
  const contents = {
    signedBlock: block.signedBlock,
    kzgProofs: block.blobsBundle.proofs,
    blobs: block.blobsBundle.blobs,
  };
  return ssz[block.fork].SignedBlockContents.serialize(contents);
}

export interface BeaconNodePublisherOptions {
  /** The beacon node's REST API, e.g. `http://127.0.0.1:5052`. */
  url: string;
  /** `broadcast_validation` (default `gossip`). */
  broadcastValidation?: "gossip" | "consensus" | "consensus_and_equivocation";
  timeoutMs?: number;
}

export function beaconNodePublisher(options: BeaconNodePublisherOptions): BlockPublisher {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch (cause) {
    throw new ApiError("BAD_CONFIG", `not a beacon node URL: ${options.url}`, { cause });
  }
  const validation = options.broadcastValidation ?? "gossip";
  return {
    async publish(block) {
      const url = new URL(`/eth/v2/beacon/blocks?broadcast_validation=${validation}`, base);
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": MEDIA_TYPE.ssz, "Eth-Consensus-Version": block.fork },
          body: encodeBlockContents(block),
          signal: AbortSignal.timeout(options.timeoutMs ?? 4000),
        });
      } catch (cause) {
        throw new ApiError("PUBLISH_FAILED", `cannot reach the beacon node at ${base.origin}`, { cause });
      }
      if (res.status !== 200 && res.status !== 202) {
        const text = await res.text().catch(() => "");
        throw new ApiError("PUBLISH_FAILED", `the beacon node refused the block (${res.status})`, {
          details: text.slice(0, 500),
        });
      }
    },
  };
}
