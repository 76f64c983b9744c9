/**
 * The Builder API server (ethereum/builder-specs) on fastify, plus weft's Beacon API event stream:
 *
 *   POST /eth/v1/builder/validators           registrations, JSON or SSZ, judged entry by entry
 *   GET  /eth/v1/builder/header/{slot}/{parent_hash}/{pubkey}   the best ready bid, signed; 204 when none
 *   POST /eth/v1/builder/blinded_blocks       the payload (and blobs) for a verified blinded block
 *   POST /eth/v2/builder/blinded_blocks       the same, but weft publishes the block; 202
 *   GET  /eth/v1/builder/status               200 when weft can serve bids, 503 when not
 *   GET  /eth/v1/events?topics=…              server-sent chain events (head, block, payload_attributes, attestation)
 *   GET  /metrics                             Prometheus metrics (the process's registry)
 *
 * Every request error is answered with its status and `{code, message}` (registrations add `failures`, one per
 * refused entry); nothing a client sends reaches a 5xx. Bodies are bounded per route, and each client (by IP)
 * has a request budget per route.
 */
import rateLimit from "@fastify/rate-limit";
import type { electra } from "@lodestar/types";
import { ssz } from "@lodestar/types";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { describeCause } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { registry as metricsRegistry } from "../shared/metrics.js";
import type { BidSource } from "./bidSource.js";
import { type BlindedBlockContext, unblindBlock, verifyBlindedBlock } from "./blindedBlock.js";
import { type BuilderChain, type BuilderFork, isBuilderFork } from "./chain.js";
import { ApiError } from "./errors.js";
import { EventHub } from "./events/eventHub.js";
import { type GetHeaderContext, getHeader, parseGetHeaderRequest } from "./getHeader.js";
import type { BuilderKey } from "./keys.js";
import { blindedBlocksTotal, getHeaderSeconds } from "./metrics.js";
import { OfferBook } from "./offers.js";
import { ProposerDuties } from "./proposerDuties.js";
import type { BlockPublisher } from "./publisher.js";
import { decodeRegistrations } from "./registerValidator.js";
import { builderDomain } from "./signing.js";
import { ValidatorRegistry } from "./validatorRegistry.js";
import { fromJsonStrict, MEDIA_TYPE, requestWireFormat, responseWireFormat } from "./wireFormat.js";

/** Requests per client per second, by route (`max` requests in `timeWindowMs`). */
export interface RateLimits {
  header: number;
  validators: number;
  blindedBlocks: number;
  status: number;
  events: number;
  timeWindowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  header: 2000,
  validators: 20,
  blindedBlocks: 20,
  status: 100,
  events: 10,
  timeWindowMs: 1000,
};

export interface BodyLimits {
  /** Registration batches (default 64 MiB: about 350,000 registrations as SSZ, 200,000 as JSON). */
  validators: number;
  /** Signed blinded blocks (default 4 MiB). */
  blindedBlocks: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { validators: 64 * 1024 * 1024, blindedBlocks: 4 * 1024 * 1024 };

export interface BuilderServerOptions {
  chain: BuilderChain;
  key: BuilderKey;
  bids: BidSource;
  /** Publishes unblinded blocks; without one, `POST /eth/v2/builder/blinded_blocks` is not served. */
  publisher?: BlockPublisher;
  logger?: Logger;
  /** `false` turns rate limiting off (tests that hammer one route). */
  rateLimits?: Partial<RateLimits> | false;
  bodyLimits?: Partial<BodyLimits>;
  /** Whether weft can serve bids now (for `/status`; default: always). */
  ready?: () => boolean;
  getHeader?: Pick<GetHeaderContext, "marginMs" | "maxWaitMs">;
}

export interface BuilderServer {
  app: FastifyInstance;
  registry: ValidatorRegistry;
  offers: OfferBook;
  duties: ProposerDuties;
  events: EventHub;
  /** Slot → root (hex) of the block whose payload weft revealed or published. */
  revealed: Map<number, string>;
  /** Starts listening; resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

interface ErrorBody {
  code: number;
  message: string;
  failures?: Array<{ index: number; message: string }>;
}

export async function createBuilderServer(options: BuilderServerOptions): Promise<BuilderServer> {
  const { chain, key, bids, publisher, logger } = options;
  const domain = builderDomain(chain);
  const registry = new ValidatorRegistry({ domain, now: chain.now });
  const offers = new OfferBook({ key, domain });
  const duties = new ProposerDuties();
  const events = new EventHub();
  const blindedCtx: BlindedBlockContext = { chain, registry, offers, duties, revealed: new Map() };
  const headerCtx: GetHeaderContext = { chain, registry, bids, offers, ...options.getHeader };
  const bodyLimits = { ...DEFAULT_BODY_LIMITS, ...options.bodyLimits };
  // Label children resolved once: the getHeader path records its time without a label lookup.
  const headerSeconds200 = getHeaderSeconds.labels({ status: "200" });
  const headerSeconds204 = getHeaderSeconds.labels({ status: "204" });

  // Sign each bid when it becomes ready, so getHeader finds it signed and encoded.
  const unsubscribe = bids.onBid((bid) => {
    try {
      offers.sign(bid);
    } catch (err) {
      logger?.error({ err, slot: bid.slot }, "cannot sign a ready bid");
    }
  });

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 256 },
    return503OnClosing: true,
  });

  app.addContentTypeParser(MEDIA_TYPE.ssz, { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendError(reply, err.status, reasonOf(err));
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return sendError(reply, status, err.message);
    logger?.error({ err, url: request.url }, "unexpected error in the Builder API");
    return sendError(reply, 500, "internal error");
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `no route ${request.method} ${request.url}`));

  const limits = options.rateLimits === false ? undefined : { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  if (limits !== undefined) {
    await app.register(rateLimit, {
      global: true,
      max: limits.header,
      timeWindow: limits.timeWindowMs,
      errorResponseBuilder: (_req, ctx) =>
        new ApiError("RATE_LIMITED", `rate limit: at most ${ctx.max} requests per ${limits.timeWindowMs} ms`),
    });
  }
  const routeLimit = (max: number | undefined) =>
    limits === undefined || max === undefined
      ? {}
      : { config: { rateLimit: { max, timeWindow: limits.timeWindowMs } } };

  app.get("/eth/v1/builder/status", routeLimit(limits?.status), async (_request, reply) => {
    if (options.ready !== undefined && !options.ready()) return sendError(reply, 503, "weft cannot serve bids now");
    return reply.code(200).send();
  });

  app.post(
    "/eth/v1/builder/validators",
    { ...routeLimit(limits?.validators), bodyLimit: bodyLimits.validators },
    async (request, reply) => {
      const format = requestWireFormat(request.headers["content-type"]);
      const result = registry.register(decodeRegistrations(request.body, format));
      if (result.failures.length === 0) return reply.code(200).send();
      const body: ErrorBody = {
        code: 400,
        message: `${result.failures.length} of ${result.failures.length + result.accepted + result.ignored} registrations refused`,
        failures: result.failures.map((f) => ({ index: f.index, message: `${f.code}: ${f.message}` })),
      };
      return reply.code(400).send(body);
    },
  );

  app.get<{ Params: Record<string, string> }>(
    "/eth/v1/builder/header/:slot/:parent_hash/:pubkey",
    routeLimit(limits?.header),
    async (request, reply) => {
      const start = performance.now();
      const nowMs = chain.now();
      const format = responseWireFormat(request.headers.accept);
      const params = parseGetHeaderRequest(chain, request.params, request.headers, nowMs);
      const result = await getHeader(headerCtx, params, nowMs);
      if (result.status === 204) {
        headerSeconds204.observe((performance.now() - start) / 1000);
        return reply.code(204).send();
      }
      const { signedBid } = result;
      reply.code(200).header("Eth-Consensus-Version", signedBid.bid.fork);
      if (format === "ssz") reply.type(MEDIA_TYPE.ssz).send(signedBid.ssz);
      else reply.type(MEDIA_TYPE.json).send(signedBid.json);
      headerSeconds200.observe((performance.now() - start) / 1000);
      return reply;
    },
  );

  const submitBlindedBlock = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const format = requestWireFormat(request.headers["content-type"]);
      const responseFormat = version === 1 ? responseWireFormat(request.headers.accept) : "json";
      const fork = consensusVersion(request.headers["eth-consensus-version"]);
      const signed = decodeSignedBlindedBlock(fork, request.body, format);
      const verified = verifyBlindedBlock(blindedCtx, fork, signed);
      const bid = verified.offer.signedBid.bid;
      const log = logger?.child({ slot: signed.message.slot, proposer: verified.proposerHex });
      if (version === 2) {
        await publisher?.publish({
          fork,
          signedBlock: unblindBlock(signed, bid.payload),
          blobsBundle: bid.blobsBundle,
        });
        blindedBlocksTotal.inc({ outcome: "published" });
        log?.info({ blockRoot: `0x${verified.blockRootHex}` }, "blinded block verified; block published");
        return reply.code(202).send();
      }
      blindedBlocksTotal.inc({ outcome: "revealed" });
      log?.info({ blockRoot: `0x${verified.blockRootHex}` }, "blinded block verified; payload revealed");
      const type = ssz[fork].ExecutionPayloadAndBlobsBundle;
      const value = { executionPayload: bid.payload, blobsBundle: bid.blobsBundle };
      reply.code(200).header("Eth-Consensus-Version", fork);
      if (responseFormat === "ssz") return reply.type(MEDIA_TYPE.ssz).send(type.serialize(value as never));
      return reply.type(MEDIA_TYPE.json).send(JSON.stringify({ version: fork, data: type.toJson(value as never) }));
    } catch (err) {
      if (err instanceof ApiError) {
        blindedBlocksTotal.inc({ outcome: err.code });
        logger?.warn({ code: err.code, reason: err.shortMessage }, "blinded block refused");
      }
      throw err;
    }
  };
  const blindedRoute = { ...routeLimit(limits?.blindedBlocks), bodyLimit: bodyLimits.blindedBlocks };
  app.post("/eth/v1/builder/blinded_blocks", blindedRoute, submitBlindedBlock(1));
  if (publisher !== undefined) app.post("/eth/v2/builder/blinded_blocks", blindedRoute, submitBlindedBlock(2));

  app.get("/metrics", routeLimit(limits?.status), async (_request, reply) => {
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });

  app.get("/eth/v1/events", routeLimit(limits?.events), async (request, reply) => {
    const topics = EventHub.parseTopics(request.query);
    reply.hijack();
    events.subscribe(reply.raw, topics);
  });

  return {
    app,
    registry,
    offers,
    duties,
    events,
    revealed: blindedCtx.revealed,
    async listen(port, host = "127.0.0.1") {
      return app.listen({ port, host });
    },
    async close() {
      unsubscribe();
      events.close();
      await app.close();
    },
  };
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const body: ErrorBody = { code: status, message };
  return reply.code(status).type(MEDIA_TYPE.json).send(JSON.stringify(body));
}

/** The reason given to the client: the short message, its details, and the cause's message. */
function reasonOf(err: ApiError): string {
  let reason = err.shortMessage;
  if (err.details !== undefined) reason += ` (${err.details})`;
  const cause = describeCause(err.cause);
  if (cause !== undefined) reason += `: ${cause}`;
  return reason;
}

function consensusVersion(header: string | string[] | undefined): BuilderFork {
  if (typeof header !== "string") {
    throw new ApiError("WRONG_FORK", "the Eth-Consensus-Version header is required (electra or fulu)");
  }
  const fork = header.trim().toLowerCase();
  if (!isBuilderFork(fork)) {
    throw new ApiError("WRONG_FORK", `Eth-Consensus-Version ${JSON.stringify(header.slice(0, 32))} is not served`, {
      details: "weft serves electra and fulu",
    });
  }
  return fork;
}

function decodeSignedBlindedBlock(
  fork: BuilderFork,
  body: unknown,
  format: "json" | "ssz",
): electra.SignedBlindedBeaconBlock {
  const type = ssz[fork].SignedBlindedBeaconBlock;
  try {
    if (format === "ssz") {
      if (!(body instanceof Uint8Array)) throw new Error("empty body");
      return type.deserialize(body);
    }
    return fromJsonStrict(type, body);
  } catch (cause) {
    throw new ApiError("MALFORMED_BODY", `the body is not a ${fork} SignedBlindedBeaconBlock`, { cause });
  }
}
