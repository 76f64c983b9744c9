/**
 * The builder's BLS key: from an EIP-2335 keystore (`@chainsafe/bls-keystore`), or for development generated
 * once and saved as a keystore with a random password beside it (both files readable by the owner only).
 *
 * The secret never reaches a log line: `BuilderKey` serialises (JSON, `util.inspect`, template strings) as its
 * public key only, and errors about keystores name the file, never its content or password.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { inspect } from "node:util";
import { type IKdfModule, Keystore } from "@chainsafe/bls-keystore";
import { SecretKey } from "@chainsafe/blst";
import { describeCause } from "../shared/errors.js";
import { ApiError } from "./errors.js";

export class BuilderKey {
  readonly #secretKey: SecretKey;
  /** The compressed 48-byte public key. */
  readonly pubkey: Uint8Array;
  readonly pubkeyHex: string;

  constructor(secretKey: SecretKey) {
    this.#secretKey = secretKey;
    this.pubkey = secretKey.toPublicKey().toBytes();
    this.pubkeyHex = `0x${Buffer.from(this.pubkey).toString("hex")}`;
  }

  /** Signs a 32-byte signing root; the compressed 96-byte signature. */
  sign(signingRoot: Uint8Array): Uint8Array {
    return this.#secretKey.sign(signingRoot).toBytes();
  }

  /** The secret, for handing to a signer in-process (tests sign with it). Never log it. */
  get secretKey(): SecretKey {
    return this.#secretKey;
  }

  toJSON(): { pubkey: string } {
    return { pubkey: this.pubkeyHex };
  }

  toString(): string {
    return `BuilderKey(${this.pubkeyHex})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A key from 32 bytes of entropy (EIP-2333 key generation). */
export function keyFromEntropy(ikm: Uint8Array): BuilderKey {
  return new BuilderKey(SecretKey.fromKeygen(ikm));
}

export function generateKey(): BuilderKey {
  return keyFromEntropy(randomBytes(32));
}

/** Decrypts an EIP-2335 keystore file. */
export async function loadKeystore(file: string, password: string): Promise<BuilderKey> {
  let keystore: Keystore;
  try {
    keystore = Keystore.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new ApiError("KEYSTORE_UNREADABLE", `cannot read the keystore ${file}`, {
      details: "expected an EIP-2335 JSON keystore",
      cause: describeCause(cause),
    });
  }
  let secret: Uint8Array;
  try {
    secret = await keystore.decrypt(password);
  } catch {
    throw new ApiError("KEYSTORE_PASSWORD", `the password does not decrypt the keystore ${file}`);
  }
  const key = new BuilderKey(SecretKey.fromBytes(secret));
  secret.fill(0);
  if (keystore.pubkey !== "" && `0x${keystore.pubkey.replace(/^0x/, "")}` !== key.pubkeyHex) {
    throw new ApiError("KEYSTORE_UNREADABLE", `the keystore ${file} names a public key its secret does not have`);
  }
  return key;
}

/** Reads a password file as keystore tools write it: the whole file, without a trailing newline. */
export async function readPasswordFile(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (cause) {
    throw new ApiError("KEYSTORE_UNREADABLE", `cannot read the password file ${file}`, {
      cause: describeCause(cause),
    });
  }
}

export interface SaveKeystoreOptions {
  /** The key-derivation function (default: the EIP-2335 default, scrypt with n = 2^18). */
  kdf?: Pick<IKdfModule, "function" | "params">;
}

/** Writes `key` as an EIP-2335 keystore encrypted with `password`, readable by the owner only. */
export async function saveKeystore(
  key: BuilderKey,
  file: string,
  password: string,
  options: SaveKeystoreOptions = {},
): Promise<void> {
  const keystore = await Keystore.create(
    password,
    key.secretKey.toBytes(),
    key.pubkey,
    "",
    "weft builder key",
    options.kdf,
  );
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, keystore.stringify(), { mode: 0o600 });
  await chmod(file, 0o600);
}

/**
 * The development key: `<file>` (a keystore) and `<file>.password`. Loaded when both exist; otherwise a new key
 * is generated and saved there with a random password. Not for mainnet: the password sits beside the keystore.
 */
export async function loadOrCreateDevKey(
  file: string,
  options: SaveKeystoreOptions = {},
): Promise<{ key: BuilderKey; created: boolean }> {
  const passwordFile = `${file}.password`;
  const existing = await readFile(passwordFile, "utf8").catch(() => undefined);
  if (existing !== undefined) return { key: await loadKeystore(file, existing.replace(/\r?\n$/, "")), created: false };
  if (await stat(file).catch(() => undefined)) {
    throw new ApiError("KEYSTORE_UNREADABLE", `the development keystore ${file} exists but ${passwordFile} does not`, {
      details: "weft does not replace a key it cannot read; restore the password file or move the keystore away",
    });
  }
  const key = generateKey();
  const password = randomBytes(24).toString("base64url");
  await saveKeystore(key, file, password, options);
  await writeFile(passwordFile, password, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  return { key, created: true };
}
