import { WeftError, type WeftErrorOptions } from "../shared/errors.js";

/**
 * What can go wrong at weft's edges: a request a proposer, relay or beacon node sent (answered with a 4xx and
 * this code's reason), or a key, relay or event stream that weft itself cannot use.
 */
export type ApiErrorCode =
  /** A path parameter, query or header is malformed (a slot that is not a number, a hash of the wrong size). */
  | "INVALID_PARAMS"
  /** The body is not valid JSON or SSZ for the container the route expects. */
  | "MALFORMED_BODY"
  /** The request body's media type is neither JSON nor SSZ (`application/octet-stream`). */
  | "UNSUPPORTED_MEDIA_TYPE"
  /** The client accepts neither JSON nor SSZ. */
  | "NOT_ACCEPTABLE"
  /** The `Eth-Consensus-Version` is missing or names a fork weft does not serve at that slot. */
  | "WRONG_FORK"
  /** A BLS signature is missing, malformed or does not verify. */
  | "INVALID_SIGNATURE"
  /** A registration's timestamp lies in the future. */
  | "FUTURE_TIMESTAMP"
  /** The blinded block's slot is not the current slot. */
  | "SLOT_NOT_CURRENT"
  /** The blinded block's execution payload header is not one weft offered for that slot. */
  | "UNKNOWN_HEADER"
  /** The proposer of the blinded block never registered with weft. */
  | "PROPOSER_NOT_REGISTERED"
  /** The blinded block's proposer is not the one weft offered the header to, or not the slot's proposer. */
  | "WRONG_PROPOSER"
  /** The blinded block commits to blobs or execution requests other than the bid's. */
  | "BID_MISMATCH"
  /** A different blinded block was already revealed for this slot (weft reveals one payload per slot). */
  | "ALREADY_REVEALED"
  /** The client sent more requests than its rate limit allows. */
  | "RATE_LIMITED"
  /** The keystore file cannot be read or is not an EIP-2335 keystore. */
  | "KEYSTORE_UNREADABLE"
  /** The keystore's password is wrong. */
  | "KEYSTORE_PASSWORD"
  /** A configuration value (URL, chain config, option) is unusable. */
  | "BAD_CONFIG"
  /** Publishing a block to the beacon node failed. */
  | "PUBLISH_FAILED"
  /** A chain event from the beacon node cannot be parsed. */
  | "BAD_EVENT";

/** The HTTP status each request error is answered with. */
export const API_ERROR_STATUS: Readonly<Partial<Record<ApiErrorCode, number>>> = {
  INVALID_PARAMS: 400,
  MALFORMED_BODY: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_ACCEPTABLE: 406,
  WRONG_FORK: 400,
  INVALID_SIGNATURE: 400,
  FUTURE_TIMESTAMP: 400,
  SLOT_NOT_CURRENT: 400,
  UNKNOWN_HEADER: 400,
  PROPOSER_NOT_REGISTERED: 400,
  WRONG_PROPOSER: 400,
  BID_MISMATCH: 400,
  ALREADY_REVEALED: 400,
  RATE_LIMITED: 429,
  PUBLISH_FAILED: 502,
};

export interface ApiErrorOptions extends WeftErrorOptions {
  /** Position of the failing item in a batch (registrations). */
  index?: number;
}

export class ApiError extends WeftError<ApiErrorCode> {
  override readonly name = "ApiError";
  readonly index: number | undefined;

  constructor(code: ApiErrorCode, shortMessage: string, options: ApiErrorOptions = {}) {
    super(code, shortMessage, options);
    this.index = options.index;
  }

  /** The HTTP status this error is answered with (400 for any request error without its own; 502 when the beacon
   * node weft publishes through fails). */
  get status(): number {
    return API_ERROR_STATUS[this.code] ?? 400;
  }
}
