/**
 * The chain the Builder API serves: the fork schedule and genesis (for signature domains and the containers of
 * each slot) and the slot clock. Mainnet comes from `@lodestar/config`; a devnet is mainnet's rules with every
 * fork up to Electra (and Fulu, unless asked not to) active from genesis and fork versions of its own, so that
 * nothing signed on it is valid on mainnet.
 */
import { digest } from "@chainsafe/as-sha256";
import { type BeaconConfig, type ChainConfig, createBeaconConfig } from "@lodestar/config";
import { chainConfig as mainnetPresetChainConfig } from "@lodestar/config/default";
import { genesisData, mainnetChainConfig } from "@lodestar/config/networks";
import { ForkName } from "@lodestar/params";
import { ApiError } from "./errors.js";

/** The forks whose containers weft's Builder API speaks (`ExecutionPayload` with blobs and execution requests). */
export type BuilderFork = ForkName.electra | ForkName.fulu;

export interface BuilderChain {
  /** Lodestar's fork schedule and cached genesis (domains, fork names per slot). */
  config: BeaconConfig;
  genesisTimeSec: number;
  secondsPerSlot: number;
  /** Where the time comes from (injectable for tests). */
  now: () => number;
}

export function isBuilderFork(fork: string): fork is BuilderFork {
  return fork === ForkName.electra || fork === ForkName.fulu;
}

/** The fork at `slot`, if weft serves it. */
export function builderForkAt(chain: BuilderChain, slot: number): BuilderFork | undefined {
  const fork = chain.config.getForkName(slot);
  return isBuilderFork(fork) ? fork : undefined;
}

export function slotStartMs(chain: BuilderChain, slot: number): number {
  return (chain.genesisTimeSec + slot * chain.secondsPerSlot) * 1000;
}

/** The slot at `nowMs` (0 before genesis). */
export function currentSlot(chain: BuilderChain, nowMs: number = chain.now()): number {
  const sinceGenesis = nowMs - chain.genesisTimeSec * 1000;
  return sinceGenesis < 0 ? 0 : Math.floor(sinceGenesis / (chain.secondsPerSlot * 1000));
}

/**
 * Whether `slot` is the one being proposed now. A proposer whose clock runs slightly ahead may ask in the last
 * `earlyMs` of the previous slot, so the next slot counts as current then.
 */
export function isCurrentSlot(chain: BuilderChain, slot: number, nowMs: number = chain.now(), earlyMs = 500): boolean {
  const current = currentSlot(chain, nowMs);
  if (slot === current) return true;
  return slot === current + 1 && slotStartMs(chain, slot) - nowMs <= earlyMs;
}

export interface MainnetChainOptions {
  now?: () => number;
}

export function mainnetChain(options: MainnetChainOptions = {}): BuilderChain {
  const genesis = genesisData.mainnet;
  const config = createBeaconConfig(mainnetChainConfig, hexToBytes(genesis.genesisValidatorsRoot));
  return {
    config,
    genesisTimeSec: genesis.genesisTime,
    secondsPerSlot: mainnetChainConfig.SECONDS_PER_SLOT,
    now: options.now ?? Date.now,
  };
}

export interface DevnetChainOptions {
  /** Unix seconds of slot 0 (default: now, rounded down to a second). */
  genesisTimeSec?: number;
  /** Seconds per slot (default 12). */
  secondsPerSlot?: number;
  /** The fork active from genesis: `fulu` (default) or `electra` (Fulu never comes). */
  fork?: BuilderFork;
  /** The devnet's genesis validators root (default: sha256 of "weft devnet"). */
  genesisValidatorsRoot?: Uint8Array;
  now?: () => number;
}

/** Fork versions of weft's devnet: mainnet's with a first byte of 0x57 ("W"), so no signature crosses over. */
const devnetVersion = (fork: number) => Uint8Array.of(0x57, fork, 0x00, 0x00);

export function devnetChainConfig(options: Pick<DevnetChainOptions, "fork" | "secondsPerSlot"> = {}): ChainConfig {
  const secondsPerSlot = options.secondsPerSlot ?? 12;
  return {
    ...mainnetPresetChainConfig,
    CONFIG_NAME: "weft-devnet",
    GENESIS_FORK_VERSION: devnetVersion(0),
    ALTAIR_FORK_VERSION: devnetVersion(1),
    ALTAIR_FORK_EPOCH: 0,
    BELLATRIX_FORK_VERSION: devnetVersion(2),
    BELLATRIX_FORK_EPOCH: 0,
    CAPELLA_FORK_VERSION: devnetVersion(3),
    CAPELLA_FORK_EPOCH: 0,
    DENEB_FORK_VERSION: devnetVersion(4),
    DENEB_FORK_EPOCH: 0,
    ELECTRA_FORK_VERSION: devnetVersion(5),
    ELECTRA_FORK_EPOCH: 0,
    FULU_FORK_VERSION: devnetVersion(6),
    FULU_FORK_EPOCH: options.fork === ForkName.electra ? Number.POSITIVE_INFINITY : 0,
    GLOAS_FORK_VERSION: devnetVersion(7),
    GLOAS_FORK_EPOCH: Number.POSITIVE_INFINITY,
    HEZE_FORK_VERSION: devnetVersion(8),
    HEZE_FORK_EPOCH: Number.POSITIVE_INFINITY,
    SECONDS_PER_SLOT: secondsPerSlot,
    SLOT_DURATION_MS: secondsPerSlot * 1000,
    // Fulu's blob-parameter-only forks belong to mainnet's schedule, not the devnet's.
    BLOB_SCHEDULE: [],
  };
}

export function devnetChain(options: DevnetChainOptions = {}): BuilderChain {
  const now = options.now ?? Date.now;
  const secondsPerSlot = options.secondsPerSlot ?? 12;
  if (!Number.isInteger(secondsPerSlot) || secondsPerSlot < 1) {
    throw new ApiError("BAD_CONFIG", `seconds per slot must be a whole number of at least 1, not ${secondsPerSlot}`);
  }
  const root = options.genesisValidatorsRoot ?? digest(new TextEncoder().encode("weft devnet"));
  const config = createBeaconConfig(devnetChainConfig({ ...options, secondsPerSlot }), root);
  return {
    config,
    genesisTimeSec: options.genesisTimeSec ?? Math.floor(now() / 1000),
    secondsPerSlot,
    now,
  };
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex"));
}
