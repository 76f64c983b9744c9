/**
 * `weft builder`: starts the builder service (Builder API, relay submission, Beacon API events) and runs until
 * SIGINT or SIGTERM. With `--fixture`, bids come from a mainnet block fixture built on its pre-state for each
 * registered fee recipient (a stand-in until the building pipeline lands); without it the bid source is empty
 * and getHeader answers 204.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { InMemoryBidSource } from "../api/bidSource.js";
import { type BuilderChain, type BuilderFork, devnetChain, mainnetChain } from "../api/chain.js";
import { FixtureBidSource } from "../api/fixture/fixtureBids.js";
import { type BuilderKey, loadKeystore, loadOrCreateDevKey, readPasswordFile } from "../api/keys.js";
import { parseRelayUrl, type RelayEndpoint } from "../api/relay/submitBlock.js";
import { startBuilderService } from "../api/service.js";
import { loadFixture } from "../execution/fixture.js";
import { logger } from "../shared/logger.js";
import { collectProcessMetrics } from "../shared/metrics.js";
import { CliError } from "./errors.js";
import { parseNonNegativeInt, parsePositiveInt } from "./options.js";
import { formatTable } from "./render.js";

export interface BuilderCommandOptions {
  fixture?: string;
  network: string;
  fork: string;
  genesisTime?: number;
  secondsPerSlot: number;
  host: string;
  port: number;
  keystore?: string;
  passwordFile?: string;
  devKey: string;
  relay: string[];
  relayEncoding: string;
  relayGzip: boolean;
  beaconNode?: string;
  json: boolean;
}

function chainFor(options: BuilderCommandOptions): BuilderChain {
  if (options.network === "mainnet") return mainnetChain();
  if (options.network !== "devnet") {
    throw new CliError("BAD_OPTION", `unknown network "${options.network}"`, { details: "choose devnet or mainnet" });
  }
  if (options.fork !== "electra" && options.fork !== "fulu") {
    throw new CliError("BAD_OPTION", `unknown fork "${options.fork}"`, { details: "choose electra or fulu" });
  }
  return devnetChain({
    fork: options.fork as BuilderFork,
    secondsPerSlot: options.secondsPerSlot,
    ...(options.genesisTime === undefined ? {} : { genesisTimeSec: options.genesisTime }),
  });
}

async function keyFor(options: BuilderCommandOptions): Promise<{ key: BuilderKey; source: string }> {
  if (options.keystore !== undefined) {
    if (options.passwordFile === undefined) {
      throw new CliError("BAD_OPTION", "--keystore needs --password-file");
    }
    const password = await readPasswordFile(options.passwordFile);
    return { key: await loadKeystore(options.keystore, password), source: options.keystore };
  }
  const { key, created } = await loadOrCreateDevKey(options.devKey);
  return { key, source: `${options.devKey}${created ? " (new development key)" : " (development key)"}` };
}

function emit(json: boolean, line: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(line)}\n`);
}

export async function runBuilder(options: BuilderCommandOptions, until: Promise<unknown>): Promise<number> {
  const chain = chainFor(options);
  if (options.relayEncoding !== "ssz" && options.relayEncoding !== "json") {
    throw new CliError("BAD_OPTION", `unknown relay encoding "${options.relayEncoding}"`, {
      details: "choose ssz or json",
    });
  }
  const relays: RelayEndpoint[] = options.relay.map(parseRelayUrl);
  const log = logger();
  const fixture = options.fixture === undefined ? undefined : await loadFixture(options.fixture);
  if (fixture !== undefined && fixture.block.withdrawals === undefined) {
    throw new CliError("BAD_OPTION", `block ${fixture.number} predates withdrawals (Shanghai)`, {
      details: "weft builder --fixture needs a post-Shanghai block, such as 19426587",
    });
  }
  const { key, source } = await keyFor(options);
  const fixtureBids = fixture === undefined ? undefined : new FixtureBidSource({ fixture, chain, logger: log });
  const bids = fixtureBids ?? new InMemoryBidSource();
  collectProcessMetrics();
  const service = await startBuilderService({
    chain,
    key,
    bids,
    host: options.host,
    port: options.port,
    relays,
    relayEncoding: options.relayEncoding,
    relayGzip: options.relayGzip,
    ...(options.beaconNode === undefined ? {} : { beaconNode: options.beaconNode }),
    logger: log,
    onRelaySubmission: (bid, results) => {
      for (const r of results) emit(options.json, { event: "relay", slot: bid.slot, ...r });
    },
  });
  if (fixtureBids !== undefined) {
    service.server.registry.onRegistered((registration) => {
      void fixtureBids.prepare(registration.feeRecipient).then((built) => {
        if (built === undefined) return;
        emit(options.json, {
          event: "payload",
          feeRecipient: `0x${Buffer.from(registration.feeRecipient).toString("hex")}`,
          blockHash: `0x${Buffer.from(built.payload.blockHash).toString("hex")}`,
          txs: built.included,
          excluded: built.excluded,
          valueWei: built.value.toString(),
          ms: Math.round(built.ms * 10) / 10,
        });
      });
    });
  }
  const started = {
    event: "listening",
    url: service.url,
    builderPubkey: key.pubkeyHex,
    network: options.network,
    fork: chain.config.getForkName(Math.floor((chain.now() / 1000 - chain.genesisTimeSec) / chain.secondsPerSlot)),
    genesisTime: chain.genesisTimeSec,
    secondsPerSlot: chain.secondsPerSlot,
    fixture:
      fixture === undefined
        ? null
        : { number: fixture.number, parentHash: fixture.block.parentHash, txs: fixture.block.transactions.length },
    relays: relays.map((r) => r.label),
    beaconNode: options.beaconNode ?? null,
  };
  emit(options.json, started);
  if (!options.json) {
    const rows: Array<[string, string | number]> = [
      ["Builder API", service.url],
      ["builder pubkey", key.pubkeyHex],
      ["key", source],
      ["network", `${options.network} (${started.fork}), ${chain.secondsPerSlot} s slots`],
      ["fixture", fixture === undefined ? "-" : `block ${fixture.number}, parent ${fixture.block.parentHash}`],
      ["relays", relays.length === 0 ? "-" : relays.map((r) => r.label).join(", ")],
      ["beacon node", options.beaconNode ?? "-"],
    ];
    process.stdout.write(`${formatTable(["", ""], rows)}\n`);
  }
  await until;
  fixtureBids?.stop();
  await service.close();
  emit(options.json, { event: "stopped" });
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePort(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n > 65535) throw new InvalidArgumentError("expected a port number, 0 to 65535");
  return n;
}

export function registerBuilder(program: Command): void {
  program
    .command("builder")
    .description("serve the Builder API (registerValidator, getHeader, submitBlindedBlock), submit to relays")
    .option("--fixture <file>", "build on a mainnet block fixture's pre-state from its own transactions")
    .option("--network <name>", "devnet | mainnet", "devnet")
    .option("--fork <name>", "devnet fork from genesis: electra | fulu", "fulu")
    .option("--genesis-time <unix-seconds>", "devnet genesis time (default: now)", parseNonNegativeInt)
    .option("--seconds-per-slot <n>", "devnet slot length", parsePositiveInt, 12)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on (0: any free port)", parsePort, 18550)
    .option("--keystore <file>", "the builder's BLS key: an EIP-2335 keystore")
    .option("--password-file <file>", "the keystore's password")
    .option(
      "--dev-key <file>",
      "development key, generated and saved on first use",
      join(homedir(), ".weft", "builder-key.json"),
    )
    .option("--relay <url>", "submit bids to this relay (repeatable; https://0xpubkey@host)", collect, [])
    .option("--relay-encoding <name>", "ssz | json", "ssz")
    .option("--relay-gzip", "gzip relay submissions", false)
    .option("--beacon-node <url>", "follow this beacon node's events and publish v2 blinded blocks through it")
    .option("--json", "JSON lines on stdout (listening, payload, relay, stopped)", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft builder --fixture ../shared/fixtures/mainnet-blocks/19426587.json.gz --port 18550\n" +
        "  weft builder --network mainnet --keystore key.json --password-file pw.txt --relay https://0xabc…@relay.example",
    )
    .action(async (opts: BuilderCommandOptions) => {
      process.exitCode = await runBuilder(opts, untilSignal());
    });
}
