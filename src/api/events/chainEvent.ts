/**
 * The Beacon API events weft consumes and serves (`GET /eth/v1/events`), typed, with their JSON as beacon nodes
 * send it: `head`, `block`, `payload_attributes` (`{version, data}`), and `attestation` (the fork's Attestation:
 * Electra's with `committee_bits`, phase0's without).
 */
import { ContainerType } from "@chainsafe/ssz";
import { type electra, type phase0, ssz } from "@lodestar/types";
import { describeCause } from "../../shared/errors.js";
import { type BuilderFork, isBuilderFork } from "../chain.js";
import { ApiError } from "../errors.js";

export const CHAIN_EVENT_TOPICS = ["head", "block", "payload_attributes", "attestation"] as const;
export type ChainEventTopic = (typeof CHAIN_EVENT_TOPICS)[number];

export function isChainEventTopic(topic: string): topic is ChainEventTopic {
  return (CHAIN_EVENT_TOPICS as readonly string[]).includes(topic);
}

const HeadEventType = new ContainerType(
  {
    slot: ssz.Slot,
    block: ssz.Root,
    state: ssz.Root,
    epochTransition: ssz.Boolean,
    previousDutyDependentRoot: ssz.Root,
    currentDutyDependentRoot: ssz.Root,
    executionOptimistic: ssz.Boolean,
  },
  { jsonCase: "eth2" },
);

const BlockEventType = new ContainerType(
  { slot: ssz.Slot, block: ssz.Root, executionOptimistic: ssz.Boolean },
  { jsonCase: "eth2" },
);

export type HeadEvent = ReturnType<typeof HeadEventType.defaultValue>;
export type BlockEvent = ReturnType<typeof BlockEventType.defaultValue>;
export type PayloadAttributesEvent = electra.SSEPayloadAttributes;

export type ChainEvent =
  | { topic: "head"; data: HeadEvent }
  | { topic: "block"; data: BlockEvent }
  | { topic: "payload_attributes"; version: BuilderFork; data: PayloadAttributesEvent }
  | { topic: "attestation"; data: electra.Attestation | phase0.Attestation };

function isElectraAttestation(a: electra.Attestation | phase0.Attestation): a is electra.Attestation {
  return "committeeBits" in a;
}

/** The event's `data` line: JSON as the Beacon API sends it. */
export function encodeChainEvent(event: ChainEvent): string {
  switch (event.topic) {
    case "head":
      return JSON.stringify(HeadEventType.toJson(event.data));
    case "block":
      return JSON.stringify(BlockEventType.toJson(event.data));
    case "payload_attributes":
      return JSON.stringify({
        version: event.version,
        data: ssz[event.version].SSEPayloadAttributes.toJson(event.data),
      });
    case "attestation":
      return JSON.stringify(
        isElectraAttestation(event.data)
          ? ssz.electra.Attestation.toJson(event.data)
          : ssz.phase0.Attestation.toJson(event.data),
      );
  }
}

/** Parses one event from its topic and `data` line; BAD_EVENT when it is not what the topic promises. */
export function parseChainEvent(topic: string, data: string): ChainEvent {
  try {
    const json = JSON.parse(data) as unknown;
    switch (topic) {
      case "head":
        return { topic, data: HeadEventType.fromJson(json) };
      case "block":
        return { topic, data: BlockEventType.fromJson(json) };
      case "payload_attributes": {
        const { version, data: inner } = (json ?? {}) as { version?: unknown; data?: unknown };
        if (typeof version !== "string" || !isBuilderFork(version)) {
          throw new Error(`payload_attributes version ${JSON.stringify(version)} is not electra or fulu`);
        }
        return { topic, version, data: ssz[version].SSEPayloadAttributes.fromJson(inner) };
      }
      case "attestation": {
        const hasCommitteeBits = typeof json === "object" && json !== null && "committee_bits" in json;
        return {
          topic,
          data: hasCommitteeBits ? ssz.electra.Attestation.fromJson(json) : ssz.phase0.Attestation.fromJson(json),
        };
      }
      default:
        throw new Error(`unknown topic ${JSON.stringify(topic)}`);
    }
  } catch (cause) {
    throw new ApiError("BAD_EVENT", `cannot parse a ${JSON.stringify(topic)} event`, {
      details: describeCause(cause) ?? "unknown",
    });
  }
}
