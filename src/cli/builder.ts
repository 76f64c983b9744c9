/**
 * `weft builder`: starts the builder service (Builder API, relay submission, Beacon API events) and the JSON-RPC
 * order intake, and runs until SIGINT or SIGTERM.
 *
 *   --fixture: the order pool starts with the fixture's transactions; JSON-RPC adds to it (checked against the
 *     fixture's pre-state); every registered fee recipient gets a block per slot from the building pipeline,
 *     which runs on a thread of its own (`startBuildThread`) and is rebuilt as orders arrive; getHeader answers
 *     from the best sealed one (`BuildingBidSource`).
 *   no fixture: no parent state, so nothing is built (getHeader answers 204) and JSON-RPC refuses every order
 *     with `NO_PARENT_STATE` (-32002).
 */
import { readFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { Address, privateToAddress } from "@ethereumjs/util";
import { type Command, InvalidArgumentError } from "commander";
import { type BidSource, InMemoryBidSource } from "../api/bidSource.js";
import { BuildingBidSource, intakeChainOf } from "../api/buildingBids.js";
import { type BuilderChain, type BuilderFork, devnetChain, mainnetChain } from "../api/chain.js";
import { type BuilderKey, loadKeystore, loadOrCreateDevKey, readPasswordFile } from "../api/keys.js";
import { parseRelayUrl, type RelayEndpoint } from "../api/relay/submitBlock.js";
import { RpcError } from "../api/rpc/errors.js";
import { createRpcServer, type RpcServer } from "../api/rpc/server.js";
import type { IntakeChain } from "../api/rpc/validateTransaction.js";
import { startBuilderService } from "../api/service.js";
import { ALGORITHM_NAMES } from "../building/builders/algorithms.js";
import { startBuildThread } from "../building/buildThread.js";
import { fixtureParent } from "../building/fixtureParent.js";
import { OrderPool } from "../building/orders/orderPool.js";
import type { BuilderKey as PayoutKey } from "../building/sealing/payout.js";
import { loadFixture } from "../execution/fixture.js";
import { toQuantity } from "../shared/hex.js";
import { logger } from "../shared/logger.js";
import { collectProcessMetrics } from "../shared/metrics.js";
import { CliError } from "./errors.js";
import { parseNonNegativeInt, parsePositiveInt } from "./options.js";
import { formatTable } from "./render.js";

/** The algorithms run by default: all but the priority-fee baseline, which a plain node is and never wins here. */
export const DEFAULT_BUILDER_ALGORITHMS = ALGORITHM_NAMES.filter((name) => name !== "priority-fee");

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
  /** JSON-RPC port, or false (`--no-rpc`). */
  rpc: boolean;
  rpcPort: number;
  algorithms: string;
  simWorkers?: number;
  coinbaseKey?: string;
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

function algorithmNames(list: string): string[] {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new CliError("BAD_OPTION", "--algorithms needs at least one algorithm");
  for (const name of names) {
    if (!ALGORITHM_NAMES.includes(name as never)) {
      throw new CliError("BAD_OPTION", `unknown algorithm "${name}"`, {
        details: `choose from: ${ALGORITHM_NAMES.join(", ")}`,
      });
    }
  }
  return names;
}

/** The builder's execution key: a file holding a secp256k1 private key as 64 hex digits (0x optional). */
async function loadCoinbaseKey(file: string): Promise<PayoutKey> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).trim();
  } catch (cause) {
    throw new CliError("BAD_OPTION", `cannot read --coinbase-key ${file}`, { cause });
  }
  const digits = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) {
    throw new CliError("BAD_OPTION", `--coinbase-key ${file} does not hold a private key`, {
      details: "expected 64 hex digits (a secp256k1 private key), optionally 0x-prefixed",
    });
  }
  const key = Uint8Array.from(Buffer.from(digits, "hex"));
  try {
    return { key, address: new Address(privateToAddress(key)) };
  } catch (cause) {
    throw new CliError("BAD_OPTION", `--coinbase-key ${file} is not a valid secp256k1 private key`, {
      cause,
    });
  }
}

/** JSON-RPC's view of the chain when there is no parent state: every order is refused, saying why. */
function noParentState(): IntakeChain {
  throw new RpcError("NO_PARENT_STATE", "this builder has no parent state to build on (start it with --fixture)");
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
  const names = algorithmNames(options.algorithms);
  const payoutKey = options.coinbaseKey === undefined ? undefined : await loadCoinbaseKey(options.coinbaseKey);
  const { key, source } = await keyFor(options);

  const orders = new OrderPool();
  let building: { source: BuildingBidSource; chain: IntakeChain } | undefined;
  if (fixture !== undefined) {
    const parent = await fixtureParent(fixture, options.fixture);
    const intake = intakeChainOf(parent);
    orders.baseFee = intake.baseFee;
    for (const order of parent.orders(() => orders.nextSeq())) {
      try {
        orders.add(order);
      } catch (err) {
        log.warn({ err, order: order.id }, "fixture transaction not pooled");
      }
    }
    // Building runs on a thread of its own (with its simulation workers): this one serves getHeader and JSON-RPC.
    const engine = await startBuildThread({
      fixture,
      file: options.fixture as string,
      orders,
      algorithms: names,
      simWorkers: options.simWorkers ?? Math.max(1, availableParallelism() - 2),
      ...(payoutKey === undefined ? {} : { builderKey: payoutKey.key }),
      logger: log,
    });
    const bidSource = new BuildingBidSource({ chain, parentHash: parent.parentHash, orders, engine, logger: log });
    building = { source: bidSource, chain: intake };
  }
  const bids: BidSource = building?.source ?? new InMemoryBidSource();
  collectProcessMetrics();
  let rpc: RpcServer | undefined;
  let rpcUrl: string | undefined;
  if (options.rpc) {
    const intake = building?.chain;
    rpc = createRpcServer({
      pool: orders,
      chain: intake === undefined ? noParentState : () => intake,
      onAccepted: () => building?.source.ordersChanged(),
    });
    try {
      rpcUrl = await rpc.listen(options.rpcPort, options.host);
    } catch (cause) {
      await building?.source.close();
      throw new CliError("BAD_OPTION", `cannot serve JSON-RPC on ${options.host}:${options.rpcPort}`, {
        details: "choose another --rpc-port (0: any free port), or --no-rpc",
        cause,
      });
    }
  }
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
  if (building !== undefined) {
    const source = building.source;
    service.server.registry.onRegistered((registration) =>
      source.addFeeRecipient(registration.feeRecipient, registration.pubkey),
    );
    source.onBuild((event) => {
      if (event.kind !== "sealed") return;
      const line = {
        slot: event.slot,
        feeRecipient: event.feeRecipient,
        blockHash: event.blockHash,
        value: toQuantity(event.value),
        txs: event.txs,
        algorithm: event.algorithm,
        ms: Math.round(event.ms * 10) / 10,
        held: event.held,
      };
      emit(options.json, { event: "bid", ...line });
      log[event.held ? "info" : "debug"]({ ...line, simulations: event.simulations }, "block sealed");
    });
  }
  const started = {
    event: "listening",
    url: service.url,
    rpc: rpcUrl ?? null,
    builderPubkey: key.pubkeyHex,
    network: options.network,
    fork: chain.config.getForkName(Math.floor((chain.now() / 1000 - chain.genesisTimeSec) / chain.secondsPerSlot)),
    genesisTime: chain.genesisTimeSec,
    secondsPerSlot: chain.secondsPerSlot,
    fixture:
      fixture === undefined
        ? null
        : { number: fixture.number, parentHash: fixture.block.parentHash, txs: fixture.block.transactions.length },
    orders: orders.size,
    algorithms: building === undefined ? [] : names,
    coinbase: payoutKey?.address.toString() ?? null,
    relays: relays.map((r) => r.label),
    beaconNode: options.beaconNode ?? null,
  };
  emit(options.json, started);
  if (!options.json) {
    const rows: Array<[string, string | number]> = [
      ["Builder API", service.url],
      ["JSON-RPC intake", rpcUrl ?? "-"],
      ["builder pubkey", key.pubkeyHex],
      ["key", source],
      ["network", `${options.network} (${started.fork}), ${chain.secondsPerSlot} s slots`],
      [
        "fixture",
        fixture === undefined
          ? "- (no parent state: no bids, JSON-RPC refuses orders)"
          : `block ${fixture.number}, parent ${fixture.block.parentHash}, ${orders.size} orders pooled`,
      ],
      ["algorithms", building === undefined ? "-" : names.join(", ")],
      ["coinbase", payoutKey === undefined ? "each fee recipient" : `${payoutKey.address.toString()} (payout)`],
      ["relays", relays.length === 0 ? "-" : relays.map((r) => r.label).join(", ")],
      ["beacon node", options.beaconNode ?? "-"],
    ];
    process.stdout.write(`${formatTable(["", ""], rows)}\n`);
  }
  await until;
  await building?.source.close();
  await rpc?.close();
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
    .option(
      "--fixture <file>",
      "build on a mainnet block fixture's pre-state (post-Shanghai); its transactions seed the pool",
    )
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
    .option("--rpc-port <n>", "JSON-RPC order intake port (0: any free port)", parsePort, 8645)
    .option("--no-rpc", "no JSON-RPC order intake")
    .option(
      "--algorithms <names>",
      `building algorithms, comma-separated: ${ALGORITHM_NAMES.join(" | ")}`,
      DEFAULT_BUILDER_ALGORITHMS.join(","),
    )
    .option(
      "--sim-workers <n>",
      "simulation worker threads (default: cores - 2, at least 1; 0: the build thread simulates itself)",
      parseNonNegativeInt,
    )
    .option(
      "--coinbase-key <file>",
      "the builder's secp256k1 key (64 hex digits): its address is the coinbase and pays each fee recipient",
    )
    .option("--json", "JSON lines on stdout (listening, bid, relay, stopped)", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft builder --fixture ../shared/fixtures/mainnet-blocks/19426587.json.gz --port 18550 --rpc-port 8645\n" +
        "  weft builder --network mainnet --keystore key.json --password-file pw.txt --relay https://0xabc…@relay.example",
    )
    .action(async (opts: BuilderCommandOptions) => {
      process.exitCode = await runBuilder(opts, untilSignal());
    });
}
