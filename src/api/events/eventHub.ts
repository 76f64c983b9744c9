/**
 * Weft's own `GET /eth/v1/events?topics=…` (server-sent events, as beacon nodes serve them), for its devnet and
 * for weft processes downstream of one that follows a beacon node. `publish` writes an event to every open
 * stream subscribed to its topic; a comment line every `keepAliveMs` keeps idle connections open through
 * proxies. A client that cannot keep up (its socket buffer over `maxBufferedBytes`) is disconnected rather than
 * buffered without bound; it reconnects and carries on from live events.
 */
import type { ServerResponse } from "node:http";
import { ApiError } from "../errors.js";
import { type ChainEvent, type ChainEventTopic, encodeChainEvent, isChainEventTopic } from "./chainEvent.js";

interface Subscriber {
  topics: ReadonlySet<ChainEventTopic>;
  res: ServerResponse;
}

export interface EventHubOptions {
  keepAliveMs?: number;
  maxBufferedBytes?: number;
}

export class EventHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #keepAlive: NodeJS.Timeout;
  readonly #maxBufferedBytes: number;

  constructor(options: EventHubOptions = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#keepAlive = setInterval(() => {
      for (const s of this.#subscribers) this.#write(s, ":\n\n");
    }, options.keepAliveMs ?? 15_000);
    this.#keepAlive.unref();
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Parses `?topics=a,b` (also repeated `topics`); INVALID_PARAMS for a missing or unknown topic. */
  static parseTopics(query: unknown): Set<ChainEventTopic> {
    const raw = (query as { topics?: unknown } | undefined)?.topics;
    const values = Array.isArray(raw) ? raw : [raw];
    const topics = new Set<ChainEventTopic>();
    for (const value of values) {
      if (typeof value !== "string") continue;
      for (const topic of value.split(",")) {
        const t = topic.trim();
        if (!isChainEventTopic(t)) {
          throw new ApiError("INVALID_PARAMS", `unknown event topic ${JSON.stringify(t.slice(0, 64))}`);
        }
        topics.add(t);
      }
    }
    if (topics.size === 0) throw new ApiError("INVALID_PARAMS", "give at least one topic: ?topics=head,block");
    return topics;
  }

  /** Takes over `res` as an event stream for `topics` until the client goes away. */
  subscribe(res: ServerResponse, topics: ReadonlySet<ChainEventTopic>): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write(":\n\n");
    const subscriber: Subscriber = { topics, res };
    this.#subscribers.add(subscriber);
    res.on("close", () => this.#subscribers.delete(subscriber));
  }

  publish(event: ChainEvent): void {
    if (this.#subscribers.size === 0) return;
    const frame = `event: ${event.topic}\ndata: ${encodeChainEvent(event)}\n\n`;
    for (const s of this.#subscribers) if (s.topics.has(event.topic)) this.#write(s, frame);
  }

  /** Ends every stream (on shutdown). */
  close(): void {
    clearInterval(this.#keepAlive);
    for (const s of this.#subscribers) s.res.end();
    this.#subscribers.clear();
  }

  #write(s: Subscriber, frame: string): void {
    if (s.res.writableLength > this.#maxBufferedBytes) {
      this.#subscribers.delete(s);
      s.res.destroy();
      return;
    }
    s.res.write(frame);
  }
}
