/**
 * `weft builder --fixture` end to end, as a separate process over real HTTP on loopback: a proposer (with
 * `@lodestar/api`'s builder client) registers, a block is built for its fee recipient, the proposer gets a
 * header for the fixture's parent; a searcher sends a transaction over JSON-RPC and the rebuilt header pays
 * more; malformed JSON-RPC is answered with errors; the proposer signs the blinded block and gets the payload.
 * Without `--fixture`, JSON-RPC refuses orders for want of a parent state.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { Address, bytesToHex } from "@ethereumjs/util";
import { getClient } from "@lodestar/api/builder";
import { ForkName } from "@lodestar/params";
import type { deneb, electra } from "@lodestar/types";
import { afterAll, describe, expect, test, vi } from "vitest";
import { currentSlot, devnetChain } from "../../src/api/chain.js";
import { runBuilder } from "../../src/cli/builder.js";
import { createProgram, main } from "../../src/cli/program.js";
import { deriveSigner } from "../../src/devnet/workloads/index.js";
import { loadFixture } from "../../src/execution/fixture.js";
import { repositoryRoot } from "../../src/shared/sharedDir.js";
import { makeProposer, signedBlindedBlock, signedRegistration } from "../api/helpers.js";
import { rawTx } from "../building/setup.js";
import { mainnetBlocksDir } from "../shared.js";

const root = repositoryRoot();
const FIXTURE = join(mainnetBlocksDir(), "19426587.json.gz");
const PARENT_HASH = "0xdb672c41cfd47c84ddb478ffde5a09b76964f77dceca0e62bdf719c965d73e7f";

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("weft builder", () => {
  /** Runs `weft …` in this process (fast), capturing what it writes. */
  async function weftInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const spyOut = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const spyErr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      const code = await main(["node", "weft", ...args]);
      return { code, stdout: out.join(""), stderr: err.join("") };
    } finally {
      spyOut.mockRestore();
      spyErr.mockRestore();
      process.exitCode = undefined;
    }
  }

  test("--help documents the command", () => {
    const builder = createProgram().commands.find((c) => c.name() === "builder");
    const help = builder?.helpInformation() ?? "";
    expect(help).toContain("Usage: weft builder");
    for (const option of [
      "--fixture <file>",
      "--relay <url>",
      "--beacon-node <url>",
      "--keystore <file>",
      "--rpc-port <n>",
      "--no-rpc",
      "--algorithms <names>",
      "--sim-workers <n>",
      "--coinbase-key <file>",
      "--json",
    ]) {
      expect(help).toContain(option);
    }
  });

  test("bad options exit non-zero with a clear message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-builder-"));
    dirs.push(dir);
    const badKey = join(dir, "coinbase.key");
    await writeFile(badKey, "0x1234\n");
    for (const [args, message] of [
      [["--network", "moon"], 'unknown network "moon"'],
      [["--fork", "deneb"], 'unknown fork "deneb"'],
      [["--port", "70000"], "port number"],
      [["--rpc-port", "-1"], "at least 0"],
      [["--relay", "ftp://relay.example"], "http or https"],
      [["--keystore", "k.json"], "--keystore needs --password-file"],
      [["--algorithms", "mev-gas-price,nope"], 'unknown algorithm "nope"'],
      [["--coinbase-key", join(dir, "missing.key")], "cannot read --coinbase-key"],
      [["--coinbase-key", badKey], "does not hold a private key"],
    ] as const) {
      const r = await weftInProcess("builder", ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  test("without --fixture: no bids, and JSON-RPC refuses orders for want of a parent state", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-builder-"));
    dirs.push(dir);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
    let stop: () => void = () => {};
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    try {
      const running = runBuilder(
        {
          network: "devnet",
          fork: "fulu",
          secondsPerSlot: 12,
          host: "127.0.0.1",
          port: 0,
          devKey: join(dir, "key.json"),
          relay: [],
          relayEncoding: "ssz",
          relayGzip: false,
          rpc: true,
          rpcPort: 0,
          algorithms: "mev-gas-price",
          json: true,
        },
        until,
      );
      let listening: Record<string, unknown> | undefined;
      while (listening === undefined) {
        await new Promise((r) => setTimeout(r, 10));
        listening = out.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === "listening");
      }
      expect(listening).toMatchObject({ fixture: null, algorithms: [], coinbase: null });
      const response = await fetch(listening.rpc as string, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: ["0x02"] }),
      });
      expect(await response.json()).toMatchObject({
        id: 1,
        error: { code: -32002, data: { reason: "NO_PARENT_STATE" } },
      });
      // A registered proposer gets no header: there is nothing to build on.
      const chain = devnetChain({ fork: ForkName.fulu, genesisTimeSec: listening.genesisTime as number });
      const api = getClient({ baseUrl: listening.url as string, globalInit: { retries: 0 } }, { config: chain.config });
      const proposer = makeProposer(6);
      expect((await api.registerValidator({ registrations: [signedRegistration(chain, proposer)] })).status).toBe(200);
      const header = await api.getHeader({
        slot: currentSlot(chain),
        parentHash: Buffer.from(PARENT_HASH.slice(2), "hex"),
        proposerPubkey: proposer.pubkey,
      });
      expect(header.status).toBe(204);
      stop();
      expect(await running).toBe(0);
      expect(JSON.parse(out.at(-1) as string)).toEqual({ event: "stopped" });
    } finally {
      spy.mockRestore();
    }
  });

  test("--fixture: register, header; an order over JSON-RPC, a better header; bad JSON-RPC; blinded block, payload; then a clean stop", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-builder-"));
    dirs.push(dir);
    // The fixture with a funded searcher, so that an order can be sent over JSON-RPC.
    const searcher = deriveSigner(91, "searcher", 0);
    const fixture = await loadFixture(FIXTURE);
    fixture.preState[searcher.address.toString()] = {
      balance: `0x${(10n ** 19n).toString(16)}`,
      nonce: 0,
      code: "0x",
      storage: {},
    };
    const fixtureFile = join(dir, "19426587-funded.json.gz");
    await writeFile(fixtureFile, gzipSync(JSON.stringify(fixture)));
    const baseFee = BigInt(fixture.block.baseFeePerGas as string);

    const secondsPerSlot = 600;
    const genesisTime = Math.floor(Date.now() / 1000) - secondsPerSlot * 10;
    const chain = devnetChain({ fork: ForkName.fulu, genesisTimeSec: genesisTime, secondsPerSlot });
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "src/cli/main.ts"),
        "builder",
        "--fixture",
        fixtureFile,
        "--port",
        "0",
        "--rpc-port",
        "0",
        "--sim-workers",
        "1",
        "--json",
        "--dev-key",
        join(dir, "key.json"),
        "--genesis-time",
        String(genesisTime),
        "--seconds-per-slot",
        String(secondsPerSlot),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WEFT_LOG_LEVEL: "warn" } },
    );
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d.toString();
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const events: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    lines.on("line", (line) => {
      events.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of waiters.splice(0)) w();
    });
    const next = async (match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`weft builder exited: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };

    const listening = await next((e) => e.event === "listening");
    expect(listening.fixture).toMatchObject({ number: 19426587, parentHash: PARENT_HASH });
    expect(listening.rpc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listening.algorithms).toEqual(["mev-gas-price", "max-profit", "conflict-groups"]);
    expect(listening.orders).toBe(fixture.block.transactions.length);
    const api = getClient({ baseUrl: listening.url as string, globalInit: { retries: 0 } }, { config: chain.config });
    const proposer = makeProposer(5);
    const feeRecipient = `0x${Buffer.from(proposer.feeRecipient).toString("hex")}`;
    expect((await api.registerValidator({ registrations: [signedRegistration(chain, proposer)] })).status).toBe(200);
    const first = await next((e) => e.event === "bid" && e.feeRecipient === feeRecipient && e.held === true);
    expect(first).toMatchObject({ slot: 10, txs: fixture.block.transactions.length });
    expect(BigInt(first.value as string)).toBeGreaterThan(0n);
    expect(typeof first.algorithm).toBe("string");
    expect(typeof first.ms).toBe("number");

    const slot = currentSlot(chain);
    const parentHash = Buffer.from(PARENT_HASH.slice(2), "hex");
    const getHeader = async () => {
      const header = await api.getHeader({ slot, parentHash, proposerPubkey: proposer.pubkey });
      expect(header.status).toBe(200);
      return (header.value() as electra.SignedBuilderBid).message;
    };
    let bid = await getHeader();
    expect(`0x${Buffer.from(bid.header.feeRecipient).toString("hex")}`).toBe(feeRecipient);
    expect(bid.value).toBe(BigInt(first.value as string));
    expect(`0x${Buffer.from(bid.header.blockHash).toString("hex")}`).toBe(first.blockHash);

    // A searcher's transaction with a 40 gwei tip: the next held bid includes it and pays more.
    const rpc = async (body: unknown) =>
      (
        await fetch(listening.rpc as string, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        })
      ).json() as Promise<{ result?: string; error?: { code: number; data: { reason: string } } }>;
    const tip = 40_000_000_000n;
    const raw = rawTx(searcher, {
      nonce: 0n,
      to: new Address(new Uint8Array(20).fill(0x99)),
      tip,
      maxFee: 2n * baseFee + tip,
    });
    const sent = await rpc({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [bytesToHex(raw)] });
    expect(sent.result).toMatch(/^0x[0-9a-f]{64}$/);
    const second = await next((e) => e.event === "bid" && e.held === true && e.txs === (first.txs as number) + 1);
    expect(BigInt(second.value as string)).toBeGreaterThan(BigInt(first.value as string));
    bid = await getHeader();
    expect(`0x${Buffer.from(bid.header.blockHash).toString("hex")}`).toBe(second.blockHash);
    expect(bid.value).toBe(BigInt(second.value as string));

    // Bad input over JSON-RPC: errors, and the process keeps serving.
    expect((await rpc("{not json")).error).toMatchObject({ code: -32700 });
    expect(
      (await rpc({ jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: ["0xc0ffee"] })).error,
    ).toMatchObject({
      data: { reason: "MALFORMED_RLP" },
    });
    expect(
      (
        (await rpc([
          { jsonrpc: "2.0", id: 3, method: "eth_sendBundle", params: [{ txs: [] }] },
        ])) as unknown as unknown[]
      )[0],
    ).toMatchObject({
      error: { code: -32602 },
    });
    expect((await getHeader()).value).toBe(bid.value);

    const blinded = signedBlindedBlock(chain, ForkName.fulu, bid, proposer, slot);
    const revealed = await api.submitBlindedBlock({ signedBlindedBlock: { data: blinded } });
    expect(revealed.status).toBe(200);
    const payload = (revealed.value() as deneb.ExecutionPayloadAndBlobsBundle).executionPayload;
    expect(payload.transactions.length).toBe(second.txs);
    expect(`0x${Buffer.from(payload.blockHash).toString("hex")}`).toBe(second.blockHash);
    const hashes = payload.transactions.map((t) => bytesToHex((createTxFromRLP(t) as TypedTransaction).hash()));
    expect(hashes).toContain(sent.result);

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(events.at(-1)?.event).toBe("stopped");
  });
});
