/**
 * getHeader latency under load, on loopback: the Builder API server runs in a child process (as `weft builder`
 * would) and this process loads it. The request is what MEV-Boost sends: JSON or SSZ, with `X-Timeout-Ms` and
 * `Date-Milliseconds`, for a registered proposer whose bid is ready; the server runs with its default rate
 * limits (2,000 getHeader requests per second per client) except in the closed-loop run.
 *
 * Scenarios:
 *   open loop at --rate (the target): a request due every 1/rate s, sent on time whatever the earlier ones do,
 *     latency from its write to the last byte of the answer (and, as a second figure, from when it was due);
 *   the same with an SSZ answer;
 *   the peer, signing per request: the bid signed and encoded on the request path (what pre-signing saves);
 *   closed loop with autocannon, 32 connections: throughput headroom (rate limits raised);
 *   and, first, the handler alone in-process (no HTTP) for 1,000 requests, pre-signed against signed per request.
 *
 * Target (issue 9): p99 ≤ 5 ms at 1,000 requests per second.
 *
 *   npm run bench -- getHeader [--rate 1000] [--seconds 10] [--warmup 2]
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ForkName } from "@lodestar/params";
import autocannon from "autocannon";
import { type BidSource, InMemoryBidSource, type ReadyBid } from "../src/api/bidSource.js";
import { currentSlot, devnetChain } from "../src/api/chain.js";
import { getHeader, parseGetHeaderRequest } from "../src/api/getHeader.js";
import { keyFromEntropy } from "../src/api/keys.js";
import { getHeaderSeconds } from "../src/api/metrics.js";
import { OfferBook } from "../src/api/offers.js";
import { createBuilderServer } from "../src/api/server.js";
import { builderDomain } from "../src/api/signing.js";
import { ValidatorRegistry } from "../src/api/validatorRegistry.js";
import { formatTable } from "../src/cli/render.js";
import { makeBid, makeProposer, signedRegistration } from "../test/api/helpers.js";
import { quantile, type SuiteResult, suite, target, writeResults } from "./harness.js";

const thisFile = fileURLToPath(import.meta.url);

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

/** The child: a Builder API server with one registered proposer and a ready bid with six blobs. */
async function serve(): Promise<void> {
  const perRequestSigning = process.argv.includes("--sign-per-request");
  const unthrottled = process.argv.includes("--unthrottled");
  // Long slots so that the slot stays current for the whole run.
  const chain = devnetChain({
    fork: ForkName.fulu,
    secondsPerSlot: 3600,
    genesisTimeSec: Math.floor(Date.now() / 1000) - 1,
  });
  const slot = currentSlot(chain);
  const store = new InMemoryBidSource();
  const proposer = makeProposer(1);
  const parentHash = new Uint8Array(32).fill(0x5a);
  const bid = makeBid({ slot, fork: ForkName.fulu, parentHash, value: 10n ** 18n });
  // Six blobs, as a full mainnet block may carry.
  bid.blobsBundle = {
    commitments: Array.from({ length: 6 }, (_, i) => new Uint8Array(48).fill(i + 1)),
    proofs: [],
    blobs: [],
  };
  // Signing per request: every lookup returns a fresh object, so the offer book signs and encodes it anew.
  const bids: BidSource = perRequestSigning
    ? { bestBid: (r) => ({ ...(store.bestBid(r) as typeof bid) }), onBid: (l) => store.onBid(l) }
    : store;
  const server = await createBuilderServer({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(1)),
    bids,
    ...(unthrottled ? { rateLimits: { header: 1_000_000 } } : {}),
  });
  server.registry.register([{ value: signedRegistration(chain, proposer) }]);
  store.put(bid);
  const url = await server.listen(0);
  process.stdout.write(
    `${JSON.stringify({
      url: `${url}/eth/v1/builder/header/${slot}/0x${Buffer.from(parentHash).toString("hex")}/${proposer.pubkeyHex}`,
    })}\n`,
  );
  const cpuAtStart = process.cpuUsage();
  process.on("SIGTERM", () => {
    void (async () => {
      // What the server spent: CPU per request, and its own handler times (prom-client histogram buckets).
      const cpu = process.cpuUsage(cpuAtStart);
      const metric = await getHeaderSeconds.get();
      const count =
        metric.values.find((v) => v.metricName?.endsWith("_count") && v.labels.status === "200")?.value ?? 0;
      const sum = metric.values.find((v) => v.metricName?.endsWith("_sum") && v.labels.status === "200")?.value ?? 0;
      const buckets = metric.values.filter((v) => v.metricName?.endsWith("_bucket") && v.labels.status === "200");
      const p99Bucket = (buckets.find((b) => b.value >= 0.99 * count)?.labels as { le?: string | number } | undefined)
        ?.le;
      process.stdout.write(
        `${JSON.stringify({ requests: count, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, count), handlerMeanMs: (sum / Math.max(1, count)) * 1000, handlerP99UpperMs: p99Bucket === undefined ? null : Number(p99Bucket) * 1000 })}\n`,
      );
      await server.close();
      process.exit(0);
    })();
  });
}

interface Scenario {
  name: string;
  accept: string;
  /** Open loop at this rate; undefined: autocannon, closed loop, as fast as `connections` go. */
  rate: number | undefined;
  serverArgs: string[];
  connections: number;
}

interface Measured {
  scenario: string;
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  /** Latency from the request's write to the socket to its last response byte. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** p99 measured from when the request was due (includes the load generator's own timer lag). */
  p99FromSchedule: number;
  server: ServerReport;
}

interface ServerReport {
  requests: number;
  cpuUsPerRequest: number;
  handlerMeanMs: number;
  handlerP99UpperMs: number | null;
}

async function startServer(
  args: string[],
): Promise<{ child: ChildProcess; url: string; report: Promise<ServerReport> }> {
  const child = spawn(process.execPath, ["--import", "tsx", thisFile, "--serve", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  rl.on("line", (line) => {
    const w = waiting.shift();
    if (w === undefined) lines.push(line);
    else w(line);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      waiting.push(resolve);
      child.once("exit", (code) => reject(new Error(`server exited (${code})`)));
    });
  const url = (JSON.parse(await nextLine()) as { url: string }).url;
  const report = nextLine().then((line) => JSON.parse(line) as ServerReport);
  report.catch(() => {});
  return { child, url, report };
}

interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** From write to response end, ms. */
  latencies: number[];
  /** From the due time to response end, ms. */
  fromSchedule: number[];
}

/**
 * Open-loop load: request i is due at start + i / rate and is sent then whether or not earlier ones have
 * answered (over a pool of keep-alive connections), as independent proposers would. Written here rather than
 * taken from autocannon because autocannon's rate option is a per-second budget that each connection spends as
 * fast as it can at the start of every second: bursts of back-to-back requests, not a steady rate.
 */
function openLoop(url: string, rate: number, seconds: number, accept: string): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let done = 0;
  const start = performance.now() + 20;
  return new Promise((resolve) => {
    const finish = () => {
      if (++done < total) return;
      agent.destroy();
      resolve({
        requests: total,
        ok,
        non2xx,
        errors,
        seconds: (performance.now() - start) / 1000,
        latencies,
        fromSchedule,
      });
    };
    const fire = (due: number) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          agent,
          headers: { accept, "x-timeout-ms": "950", "date-milliseconds": String(Date.now()) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            const end = performance.now();
            if (res.statusCode === 200) {
              ok++;
              latencies.push(end - sent);
              fromSchedule.push(end - due);
            } else non2xx++;
            finish();
          });
        },
      );
      let sent = performance.now();
      req.on("socket", () => {
        sent = performance.now();
      });
      req.on("error", () => {
        errors++;
        finish();
      });
      req.end();
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) fire(start + next++ * interval);
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
}

/** Closed loop with autocannon: as many requests as `connections` keep-alive connections can make. */
function closedLoop(url: string, connections: number, seconds: number, accept: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      { url, connections, duration: seconds, headers: { accept, "x-timeout-ms": "950" } },
      (err, result) =>
        err
          ? reject(err)
          : resolve({
              requests: result.requests.total,
              ok: result["2xx"],
              non2xx: result.non2xx,
              errors: result.errors + result.timeouts,
              seconds,
              latencies,
              fromSchedule: latencies,
            }),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
}

async function measure(scenario: Scenario, seconds: number, warmup: number): Promise<Measured> {
  const { child, url, report } = await startServer(scenario.serverArgs);
  const run = (s: number) =>
    scenario.rate === undefined
      ? closedLoop(url, scenario.connections, s, scenario.accept)
      : openLoop(url, scenario.rate, s, scenario.accept);
  try {
    await run(warmup);
    const result = await run(seconds);
    const latencies = result.latencies.sort((a, b) => a - b);
    const fromSchedule = result.fromSchedule.sort((a, b) => a - b);
    child.kill("SIGTERM");
    const server = await report;
    return {
      server,
      scenario: scenario.name,
      requests: result.requests,
      non2xx: result.non2xx,
      errors: result.errors,
      rps: result.ok / result.seconds,
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      p999: quantile(latencies, 0.999),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      p99FromSchedule: quantile(fromSchedule, 0.99),
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
}

/**
 * The server's own work per getHeader, without HTTP or the load generator: request parsing, registration and
 * bid lookup, the offer record and the encoded answer, for 1,000 requests, with the bid pre-signed (weft) and
 * signed per request (the peer).
 */
async function handlerSuite(): Promise<SuiteResult> {
  const chain = devnetChain({
    fork: ForkName.fulu,
    secondsPerSlot: 3600,
    genesisTimeSec: Math.floor(Date.now() / 1000) - 1,
  });
  const slot = currentSlot(chain);
  const key = keyFromEntropy(new Uint8Array(32).fill(1));
  const domain = builderDomain(chain);
  const registry = new ValidatorRegistry({ domain, now: chain.now });
  const proposer = makeProposer(1);
  registry.register([{ value: signedRegistration(chain, proposer) }]);
  const parentHash = new Uint8Array(32).fill(0x5a);
  const store = new InMemoryBidSource();
  store.put(makeBid({ slot, fork: ForkName.fulu, parentHash }));
  const fresh: BidSource = { bestBid: (r) => ({ ...(store.bestBid(r) as ReadyBid) }), onBid: (l) => store.onBid(l) };
  const params = {
    slot: String(slot),
    parent_hash: `0x${Buffer.from(parentHash).toString("hex")}`,
    pubkey: proposer.pubkeyHex,
  };
  const headers = { "x-timeout-ms": "950", "date-milliseconds": String(Date.now()) };
  const requests = 1000;
  const run = (bids: BidSource, offers: OfferBook) => async () => {
    let bytes = 0;
    for (let i = 0; i < requests; i++) {
      const now = chain.now();
      const request = parseGetHeaderRequest(chain, params, headers, now);
      const result = await getHeader({ chain, registry, bids, offers }, request, now);
      if (result.status !== 200) throw new Error("no bid");
      bytes += result.signedBid.json.length;
    }
    return bytes > 0 ? requests : 0;
  };
  return suite(
    `getHeader handler, ${requests} requests in-process (no HTTP)`,
    [
      { name: "pre-signed bid (weft)", run: run(store, new OfferBook({ key, domain })) },
      { name: "bid signed per request", run: run(fresh, new OfferBook({ key, domain })) },
    ],
    { rounds: 7, warmup: 2, unit: "requests" },
  );
}

async function main(): Promise<void> {
  const rate = argValue("rate", 1000);
  const seconds = argValue("seconds", 10);
  const warmup = argValue("warmup", 2);
  const json = "application/json";
  const sszFirst = "application/octet-stream;q=1,application/json;q=0.9";
  const scenarios: Scenario[] = [
    { name: `json, open loop ${rate}/s`, accept: json, rate, serverArgs: [], connections: 0 },
    { name: `ssz, open loop ${rate}/s`, accept: sszFirst, rate, serverArgs: [], connections: 0 },
    {
      name: `json, open loop ${rate}/s, signing per request`,
      accept: json,
      rate,
      serverArgs: ["--sign-per-request"],
      connections: 0,
    },
    {
      name: "json, closed loop, 32 connections",
      accept: json,
      rate: undefined,
      serverArgs: ["--unthrottled"],
      connections: 32,
    },
  ];

  const load1 = loadavg()[0] ?? 0;
  process.stdout.write(
    `getHeader under load: ${seconds} s per scenario after ${warmup} s warm-up; load average ${load1.toFixed(2)}\n`,
  );
  const handler = await handlerSuite();
  const results: Measured[] = [];
  for (const scenario of scenarios) results.push(await measure(scenario, seconds, warmup));
  const ms = (x: number) => x.toFixed(3);
  process.stdout.write(
    `\n${formatTable(
      [
        "scenario",
        "req/s",
        "requests",
        "non-2xx",
        "errors",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "server µs CPU/req",
        "handler mean ms",
        "handler p99 ≤ ms",
        "p99 from due ms",
      ],
      results.map((r) => [
        r.scenario,
        Math.round(r.rps),
        r.requests,
        r.non2xx,
        r.errors,
        ms(r.p50),
        ms(r.p90),
        ms(r.p99),
        ms(r.p999),
        ms(r.max),
        Math.round(r.server.cpuUsPerRequest),
        ms(r.server.handlerMeanMs),
        r.server.handlerP99UpperMs === null ? "-" : String(r.server.handlerP99UpperMs),
        ms(r.p99FromSchedule),
      ]),
    )}\n\n`,
  );
  const targets = results
    .slice(0, 2)
    .map((r) =>
      target(
        `getHeader p99 ≤ 5 ms at ${rate} req/s (${r.scenario})`,
        r.p99 <= 5 && r.rps >= rate * 0.95 && r.non2xx === 0 && r.errors === 0,
        `p99 ${ms(r.p99)} ms at ${Math.round(r.rps)} req/s, ${r.non2xx} non-2xx, ${r.errors} errors`,
      ),
    );
  const loadAfter = loadavg()[0] ?? 0;
  process.stdout.write(
    `load average at the end: ${loadAfter.toFixed(2)} (2 cores here; above 2 means the run competed for CPU)\n`,
  );
  writeResults("getHeader", { rate, seconds, warmup, loadAverage: [load1, loadAfter], handler, results, targets });
}

if (process.argv.includes("--serve")) await serve();
else await main();
