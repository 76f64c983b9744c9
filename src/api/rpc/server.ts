/**
 * The JSON-RPC order intake over HTTP (fastify): `POST /` with one JSON-RPC 2.0 call or a batch of them.
 *
 *   body above the size limit → one JSON-RPC error (HTTP 413), nothing parsed
 *   malformed JSON → parse error (-32700); not a call → invalid request (-32600); a batch above its limit → -32005
 *   each call → its method (`methods.ts`) → result, or the method's `RpcError` as the call's error object
 *
 * Every refusal is counted by reason (`stats()`, and the `weft_rpc_rejections_total` metric); every call by
 * method (`weft_rpc_requests_total`). A failing call never affects the others of its batch.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { Counter } from "prom-client";
import type { OrderPool } from "../../building/orders/orderPool.js";
import { logger } from "../../shared/logger.js";
import { registry } from "../../shared/metrics.js";
import { RpcError, type RpcRejectReason } from "./errors.js";
import { type IntakeContext, METHODS } from "./methods.js";
import { type AdmissionLimits, DEFAULT_ADMISSION_LIMITS, type IntakeChain } from "./validateTransaction.js";

export interface RpcServerOptions {
  pool: OrderPool;
  /** The chain as the next block sees it (called per request: it follows the head). */
  chain: () => IntakeChain;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Most calls in a batch (default 100). */
  maxBatch?: number;
  /** Most transactions in a bundle (default 100). */
  maxBundleTxs?: number;
  limits?: Partial<AdmissionLimits>;
  /** Called after every accepted call, once its order is pooled (or its bundle cancelled): a rebuild trigger. */
  onAccepted?: (method: string) => void;
}

export interface RpcServer {
  readonly app: FastifyInstance;
  /** Starts listening; resolves to the URL (`http://127.0.0.1:port`). Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Refusals by reason and accepted calls by method since start. */
  stats(): { accepted: Record<string, number>; rejected: Record<string, number> };
}

interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const requestsTotal = metric(
  () =>
    new Counter({
      name: "weft_rpc_requests_total",
      help: "JSON-RPC calls to the order intake, by method and outcome",
      labelNames: ["method", "outcome"] as const,
      registers: [registry],
    }),
  "weft_rpc_requests_total",
);
const rejectionsTotal = metric(
  () =>
    new Counter({
      name: "weft_rpc_rejections_total",
      help: "JSON-RPC calls the order intake refused, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
  "weft_rpc_rejections_total",
);

/** A metric registered once per process (several servers, in tests, share it). */
function metric<T>(make: () => T, name: string): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createRpcServer(options: RpcServerOptions): RpcServer {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const maxBatch = options.maxBatch ?? 100;
  const ctx: IntakeContext = {
    pool: options.pool,
    chain: options.chain,
    limits: { ...DEFAULT_ADMISSION_LIMITS, ...options.limits },
    maxBundleTxs: options.maxBundleTxs ?? 100,
  };
  const accepted = new Map<string, number>();
  const rejected = new Map<string, number>();
  const reject = (reason: RpcRejectReason) => {
    rejected.set(reason, (rejected.get(reason) ?? 0) + 1);
    rejectionsTotal.inc({ reason });
  };

  const app = Fastify({ bodyLimit, logger: false });
  // The body is parsed here, not by fastify, so that malformed JSON is a JSON-RPC parse error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, _req, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      reject("REQUEST_TOO_LARGE");
      const e = new RpcError("REQUEST_TOO_LARGE", `the request is larger than the ${bodyLimit}-byte limit`, {
        data: { limit: bodyLimit },
      });
      return reply.status(413).send({ jsonrpc: "2.0", id: null, error: e.toJson() });
    }
    logger().error({ err: error.message }, "rpc: request failed");
    reject("INTERNAL_ERROR");
    return reply
      .status(error.statusCode ?? 500)
      .send({ jsonrpc: "2.0", id: null, error: new RpcError("INTERNAL_ERROR", "internal error").toJson() });
  });

  // The order is in the pool whatever a listener does: its failure is logged, never the caller's error.
  const notifyAccepted = (method: string) => {
    try {
      options.onAccepted?.(method);
    } catch (error) {
      logger().error({ err: String(error) }, "rpc: onAccepted failed");
    }
  };

  const call = (request: unknown): JsonRpcResponse => {
    const id = typeof request === "object" && request !== null ? ((request as { id?: unknown }).id ?? null) : null;
    try {
      if (typeof request !== "object" || request === null || Array.isArray(request)) {
        throw new RpcError("INVALID_REQUEST", "a call must be a JSON object");
      }
      const { jsonrpc, method, params } = request as { jsonrpc?: unknown; method?: unknown; params?: unknown };
      if (jsonrpc !== "2.0" || typeof method !== "string") {
        throw new RpcError("INVALID_REQUEST", 'a call needs "jsonrpc": "2.0" and a "method" string');
      }
      const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
      if (handler === undefined) {
        throw new RpcError(
          "METHOD_NOT_FOUND",
          `method ${method} is not served here (eth_sendRawTransaction, eth_sendBundle, eth_cancelBundle are)`,
        );
      }
      const result = handler(params ?? [], ctx);
      accepted.set(method, (accepted.get(method) ?? 0) + 1);
      requestsTotal.inc({ method, outcome: "accepted" });
      notifyAccepted(method);
      return { jsonrpc: "2.0", id, result };
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError("INTERNAL_ERROR", "internal error", { cause: error });
      if (e.code === "INTERNAL_ERROR") logger().error({ err: String(error) }, "rpc: call failed");
      reject(e.code);
      const method =
        typeof (request as { method?: unknown })?.method === "string"
          ? (request as { method: string }).method
          : "invalid";
      requestsTotal.inc({ method: Object.hasOwn(METHODS, method) ? method : "invalid", outcome: "rejected" });
      return { jsonrpc: "2.0", id, error: e.toJson() };
    }
  };

  app.post("/", async (req, reply) => {
    let body: unknown;
    try {
      body = JSON.parse(String(req.body ?? ""));
    } catch {
      reject("PARSE_ERROR");
      return reply.send({
        jsonrpc: "2.0",
        id: null,
        error: new RpcError("PARSE_ERROR", "the request is not valid JSON").toJson(),
      });
    }
    if (Array.isArray(body)) {
      if (body.length === 0) {
        reject("INVALID_REQUEST");
        return reply.send({
          jsonrpc: "2.0",
          id: null,
          error: new RpcError("INVALID_REQUEST", "an empty batch").toJson(),
        });
      }
      if (body.length > maxBatch) {
        reject("BATCH_TOO_LARGE");
        const e = new RpcError("BATCH_TOO_LARGE", `a batch holds at most ${maxBatch} calls, got ${body.length}`, {
          data: { limit: maxBatch },
        });
        return reply.send({ jsonrpc: "2.0", id: null, error: e.toJson() });
      }
      return reply.send(body.map(call));
    }
    return reply.send(call(body));
  });

  return {
    app,
    async listen(port = 0, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      return `http://${host}:${bound}`;
    },
    close: () => app.close(),
    stats: () => ({ accepted: Object.fromEntries(accepted), rejected: Object.fromEntries(rejected) }),
  };
}

export type { IntakeChain, OrderPool };
