/**
 * A client of a beacon node's `GET /eth/v1/events?topics=…` (server-sent events, read with the `eventsource`
 * package) that hands each parsed event to `onEvent`: the scheduler's input stream.
 *
 * Reconnection is weft's own rather than the library's: on any error the stream is closed and opened again
 * after a delay that doubles from `initialMs` to `maxMs`, with jitter (half to all of the delay) so that many
 * builders do not reconnect in step; the delay resets once a connection opens. An event that does not parse is
 * logged and counted, and the stream goes on.
 */
import { EventSource } from "eventsource";
import type { Logger } from "../../shared/logger.js";
import { ApiError } from "../errors.js";
import { chainEventsTotal } from "../metrics.js";
import { CHAIN_EVENT_TOPICS, type ChainEvent, type ChainEventTopic, parseChainEvent } from "./chainEvent.js";

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 30_000 };

export interface BeaconEventsOptions {
  /** The beacon node's REST API, e.g. `http://127.0.0.1:5052`. */
  url: string;
  topics?: readonly ChainEventTopic[];
  onEvent: (event: ChainEvent) => void;
  /** Called when a connection opens (after the first, a reconnection). */
  onOpen?: () => void;
  backoff?: Partial<Backoff>;
  logger?: Logger;
  /** For tests: the jitter factor in [0.5, 1] (default random). */
  jitter?: () => number;
}

export interface BeaconEventsSubscription {
  readonly connected: boolean;
  /** Connections opened so far. */
  readonly opens: number;
  /** Reconnection delays waited so far, in ms. */
  readonly delays: readonly number[];
  close(): void;
}

export function eventsUrl(base: string, topics: readonly ChainEventTopic[]): URL {
  let url: URL;
  try {
    url = new URL("/eth/v1/events", base);
  } catch (cause) {
    throw new ApiError("BAD_CONFIG", `not a beacon node URL: ${JSON.stringify(base)}`, { cause });
  }
  url.searchParams.set("topics", topics.join(","));
  return url;
}

export function subscribeBeaconEvents(options: BeaconEventsOptions): BeaconEventsSubscription {
  const topics = options.topics ?? CHAIN_EVENT_TOPICS;
  const url = eventsUrl(options.url, topics);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const jitter = options.jitter ?? (() => 0.5 + Math.random() / 2);
  const log = options.logger?.child({ beaconNode: url.origin });
  let source: EventSource | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let connected = false;
  let attempt = 0;
  let opens = 0;
  const delays: number[] = [];

  const connect = () => {
    if (closed) return;
    const es = new EventSource(url);
    source = es;
    es.onopen = () => {
      connected = true;
      attempt = 0;
      opens++;
      log?.info({ topics }, opens === 1 ? "following beacon node events" : "reconnected to beacon node events");
      options.onOpen?.();
    };
    es.onerror = (err) => {
      if (source !== es || closed) return;
      es.close();
      connected = false;
      const delay = Math.round(Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt) * jitter());
      attempt++;
      delays.push(delay);
      log?.warn({ error: err.message, code: err.code, retryInMs: delay }, "beacon node event stream lost");
      timer = setTimeout(connect, delay);
    };
    for (const topic of topics) {
      es.addEventListener(topic, (message: MessageEvent) => {
        chainEventsTotal.inc({ topic });
        let event: ChainEvent;
        try {
          event = parseChainEvent(topic, String(message.data));
        } catch (err) {
          chainEventsTotal.inc({ topic: "unparseable" });
          log?.warn({ topic, reason: err instanceof ApiError ? err.message : String(err) }, "unparseable event");
          return;
        }
        options.onEvent(event);
      });
    }
  };
  connect();

  return {
    get connected() {
      return connected;
    },
    get opens() {
      return opens;
    },
    delays,
    close() {
      closed = true;
      connected = false;
      if (timer !== undefined) clearTimeout(timer);
      source?.close();
    },
  };
}
