import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { ApiError } from "../../src/api/errors.js";
import {
  keyFromEntropy,
  loadKeystore,
  loadOrCreateDevKey,
  readPasswordFile,
  saveKeystore,
} from "../../src/api/keys.js";

// Cheap key derivation for tests; real keystores use EIP-2335's defaults.
const FAST_KDF = {
  kdf: {
    function: "pbkdf2" as const,
    params: { dklen: 32, c: 16, prf: "hmac-sha256" as const, salt: "00".repeat(32) },
  },
};

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "weft-keys-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("builder keys", () => {
  test("an EIP-2335 keystore round-trips, and the wrong password is refused", async () => {
    const dir = await tempDir();
    const key = keyFromEntropy(new Uint8Array(32).fill(9));
    const file = join(dir, "keystore.json");
    await saveKeystore(key, file, "correct horse", FAST_KDF);
    const json = JSON.parse(await readFile(file, "utf8")) as { version: number; pubkey: string; crypto: unknown };
    expect(json.version).toBe(4);
    expect(`0x${json.pubkey}`).toBe(key.pubkeyHex);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadKeystore(file, "correct horse")).pubkeyHex).toBe(key.pubkeyHex);
    await expect(loadKeystore(file, "wrong")).rejects.toMatchObject({ code: "KEYSTORE_PASSWORD" });
    await expect(loadKeystore(join(dir, "missing.json"), "x")).rejects.toBeInstanceOf(ApiError);
    await writeFile(join(dir, "junk.json"), "{not a keystore");
    await expect(loadKeystore(join(dir, "junk.json"), "x")).rejects.toMatchObject({ code: "KEYSTORE_UNREADABLE" });
  });

  test("a development key is generated and saved once, then loaded", async () => {
    const dir = await tempDir();
    const file = join(dir, "dev", "builder-key.json");
    const first = await loadOrCreateDevKey(file, FAST_KDF);
    expect(first.created).toBe(true);
    expect((await stat(`${file}.password`)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateDevKey(file, FAST_KDF);
    expect(second.created).toBe(false);
    expect(second.key.pubkeyHex).toBe(first.key.pubkeyHex);
    expect(await readPasswordFile(`${file}.password`)).not.toContain("\n");
    // A keystore without its password file is never replaced by a new key.
    await rm(`${file}.password`);
    await expect(loadOrCreateDevKey(file, FAST_KDF)).rejects.toMatchObject({ code: "KEYSTORE_UNREADABLE" });
  });

  test("the secret never appears when the key is logged, printed or serialised", () => {
    const key = keyFromEntropy(new Uint8Array(32).fill(4));
    const secretHex = Buffer.from(key.secretKey.toBytes()).toString("hex");
    for (const text of [
      JSON.stringify(key),
      JSON.stringify({ key }),
      inspect(key),
      `${key}`,
      inspect({ nested: key }),
    ]) {
      expect(text).toContain(key.pubkeyHex);
      expect(text).not.toContain(secretHex);
    }
  });
});
