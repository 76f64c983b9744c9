/**
 * `weft builder --fixture` end to end, as a separate process over real HTTP on loopback: a proposer (with
 * `@lodestar/api`'s builder client) registers, the fixture payload is built for its fee recipient, the proposer
 * gets a header for the fixture's parent, signs the blinded block and gets the payload.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { getClient } from "@lodestar/api/builder";
import { ForkName } from "@lodestar/params";
import type { deneb, electra } from "@lodestar/types";
import { afterAll, describe, expect, test, vi } from "vitest";
import { currentSlot, devnetChain } from "../../src/api/chain.js";
import { createProgram, main } from "../../src/cli/program.js";
import { repositoryRoot } from "../../src/shared/sharedDir.js";
import { makeProposer, signedBlindedBlock, signedRegistration } from "../api/helpers.js";
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
    for (const option of ["--fixture <file>", "--relay <url>", "--beacon-node <url>", "--keystore <file>", "--json"]) {
      expect(help).toContain(option);
    }
  });

  test("bad options exit non-zero with a clear message", async () => {
    for (const [args, message] of [
      [["--network", "moon"], 'unknown network "moon"'],
      [["--fork", "deneb"], 'unknown fork "deneb"'],
      [["--port", "70000"], "port number"],
      [["--relay", "ftp://relay.example"], "http or https"],
      [["--keystore", "k.json"], "--keystore needs --password-file"],
    ] as const) {
      const r = await weftInProcess("builder", ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  test("--fixture: register, header, blinded block, payload; then a clean stop", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-builder-"));
    dirs.push(dir);
    const secondsPerSlot = 60;
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
        FIXTURE,
        "--port",
        "0",
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
    const next = async (name: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = events.find((e) => e.event === name);
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`weft builder exited: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };

    const listening = await next("listening");
    expect(listening.fixture).toMatchObject({ number: 19426587, parentHash: PARENT_HASH });
    const api = getClient({ baseUrl: listening.url as string, globalInit: { retries: 0 } }, { config: chain.config });
    const proposer = makeProposer(5);
    expect((await api.registerValidator({ registrations: [signedRegistration(chain, proposer)] })).status).toBe(200);
    const payloadEvent = await next("payload");
    expect(payloadEvent.feeRecipient).toBe(`0x${Buffer.from(proposer.feeRecipient).toString("hex")}`);
    expect(BigInt(payloadEvent.valueWei as string)).toBeGreaterThan(0n);

    const slot = currentSlot(chain);
    const header = await api.getHeader({
      slot,
      parentHash: Buffer.from(PARENT_HASH.slice(2), "hex"),
      proposerPubkey: proposer.pubkey,
    });
    expect(header.status).toBe(200);
    const bid = (header.value() as electra.SignedBuilderBid).message;
    expect(`0x${Buffer.from(bid.header.feeRecipient).toString("hex")}`).toBe(payloadEvent.feeRecipient);
    expect(bid.value).toBe(BigInt(payloadEvent.valueWei as string));
    expect(`0x${Buffer.from(bid.header.blockHash).toString("hex")}`).toBe(payloadEvent.blockHash);

    const blinded = signedBlindedBlock(chain, ForkName.fulu, bid, proposer, slot);
    const revealed = await api.submitBlindedBlock({ signedBlindedBlock: { data: blinded } });
    expect(revealed.status).toBe(200);
    const payload = (revealed.value() as deneb.ExecutionPayloadAndBlobsBundle).executionPayload;
    expect(payload.transactions.length).toBe(payloadEvent.txs);
    expect(`0x${Buffer.from(payload.blockHash).toString("hex")}`).toBe(payloadEvent.blockHash);

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(events.at(-1)?.event).toBe("stopped");
  });
});
