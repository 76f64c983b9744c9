/**
 * The builder service behind `weft builder`: the Builder API server, fed by a bid source; when a beacon node is
 * given, its events (followed with backoff) tell weft each slot's proposer and are served again on weft's own
 * event stream, and v2 blinded blocks are published through it; when relays are given, every new bid whose
 * proposer is known is submitted to them.
 *
 *   beacon node ──events──► proposer duties, weft's event stream, onChainEvent (the scheduler's input)
 *   bid source ──onBid──► pre-signed offers (getHeader) ─► relays (SubmitBlockRequest)
 */
import type { Logger } from "../shared/logger.js";
import type { BidSource, ReadyBid } from "./bidSource.js";
import type { BuilderChain } from "./chain.js";
import { type BeaconEventsSubscription, subscribeBeaconEvents } from "./events/beaconEvents.js";
import type { ChainEvent } from "./events/chainEvent.js";
import type { BuilderKey } from "./keys.js";
import { beaconNodePublisher } from "./publisher.js";
import {
  createSubmitBlockRequest,
  type RelayEndpoint,
  type RelaySubmission,
  submitBlock,
} from "./relay/submitBlock.js";
import { type BuilderServer, createBuilderServer, type RateLimits } from "./server.js";
import { builderDomain } from "./signing.js";

export interface BuilderServiceOptions {
  chain: BuilderChain;
  key: BuilderKey;
  bids: BidSource;
  host?: string;
  port?: number;
  /** A beacon node's REST API: events in, blocks out. */
  beaconNode?: string;
  relays?: readonly RelayEndpoint[];
  relayEncoding?: "ssz" | "json";
  relayGzip?: boolean;
  /** Every chain event from the beacon node (the scheduler's input stream). */
  onChainEvent?: (event: ChainEvent) => void;
  /** Every relay submission's result. */
  onRelaySubmission?: (bid: ReadyBid, results: RelaySubmission[]) => void;
  rateLimits?: Partial<RateLimits> | false;
  logger?: Logger;
}

export interface BuilderService {
  url: string;
  server: BuilderServer;
  events: BeaconEventsSubscription | undefined;
  close(): Promise<void>;
}

export async function startBuilderService(options: BuilderServiceOptions): Promise<BuilderService> {
  const { chain, key, bids, logger } = options;
  const server = await createBuilderServer({
    chain,
    key,
    bids,
    ...(options.beaconNode === undefined ? {} : { publisher: beaconNodePublisher({ url: options.beaconNode }) }),
    ...(logger === undefined ? {} : { logger }),
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
  });

  const events =
    options.beaconNode === undefined
      ? undefined
      : subscribeBeaconEvents({
          url: options.beaconNode,
          ...(logger === undefined ? {} : { logger }),
          onEvent: (event) => {
            if (event.topic === "payload_attributes") {
              server.duties.set(event.data.proposalSlot, { validatorIndex: event.data.proposerIndex });
            }
            server.events.publish(event);
            options.onChainEvent?.(event);
          },
        });

  const relays = options.relays ?? [];
  const domain = builderDomain(chain);
  const unsubscribe =
    relays.length === 0
      ? () => {}
      : bids.onBid((bid) => {
          const proposerHex =
            bid.proposerPubkey === undefined
              ? server.duties.get(bid.slot)?.pubkeyHex
              : `0x${Buffer.from(bid.proposerPubkey).toString("hex")}`;
          const registration = proposerHex === undefined ? undefined : server.registry.get(proposerHex);
          if (registration === undefined) {
            logger?.debug({ slot: bid.slot }, "proposer of the slot unknown or unregistered; bid not sent to relays");
            return;
          }
          // Off the caller's path: a bid may become ready inside a getHeader lookup.
          setImmediate(() => {
            const request = createSubmitBlockRequest(bid, registration, key, domain);
            void submitBlock(bid.fork, request, {
              chain,
              relays,
              encoding: options.relayEncoding ?? "ssz",
              gzip: options.relayGzip ?? false,
              ...(logger === undefined ? {} : { logger }),
            }).then((results) => options.onRelaySubmission?.(bid, results));
          });
        });

  const url = await server.listen(options.port ?? 18550, options.host ?? "127.0.0.1");
  return {
    url,
    server,
    events,
    async close() {
      unsubscribe();
      events?.close();
      await server.close();
    },
  };
}
