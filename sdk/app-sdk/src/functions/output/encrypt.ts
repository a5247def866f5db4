/**
 * Encrypt: AES-256-GCM with a key read from a secret (never from pipeline YAML). The output is
 * `iv (12 bytes) | tag (16 bytes) | ciphertext`, as bytes or as base64 text; {@link decryptPayload} reverses it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { FunctionFactory } from "../../types.js";
import { toBytes } from "../data.js";
import { ParamReader } from "../params.js";

/** Bytes of the random IV at the start of the output. */
export const ENCRYPT_IV_BYTES = 12;
/** Bytes of the GCM authentication tag after the IV. */
export const ENCRYPT_TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A 256-bit key written as 64 hex digits or as base64, or the reason it is not one. */
export function parseAesKey(text: string): Buffer | string {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const key = Buffer.from(s, "base64");
    if (key.length === KEY_BYTES) return key;
  }
  return `must be a 256-bit key written as 64 hex digits or base64 of 32 bytes (got ${s.length} characters)`;
}

/** AES-256-GCM encryption in Brink's layout: iv | tag | ciphertext. */
export function encryptPayload(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(ENCRYPT_IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Decrypts what Encrypt wrote (iv | tag | ciphertext); throws when the key or the data is wrong. */
export function decryptPayload(key: Uint8Array, data: Uint8Array): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const iv = buf.subarray(0, ENCRYPT_IV_BYTES);
  const tag = buf.subarray(ENCRYPT_IV_BYTES, ENCRYPT_IV_BYTES + ENCRYPT_TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(ENCRYPT_IV_BYTES + ENCRYPT_TAG_BYTES)), decipher.final()]);
}

/**
 * Params: `secretName` (required: the secret holding the key, 64 hex digits or base64 of 32 bytes; read when the
 * pipeline loads, so a missing or malformed key is reported then), `output` (bytes | base64, default bytes).
 * Sets content type `application/octet-stream` (bytes) or `text/plain` (base64).
 */
export const encrypt: FunctionFactory = (params, env) => {
  const name = "Encrypt";
  const r = new ParamReader(name, params);
  const secretName = r.string("secretName", { required: true });
  const output = r.choice("output", ["bytes", "base64"] as const, "bytes");
  for (const forbidden of ["key", "secret"]) {
    if (r.has(forbidden)) r.add(forbidden, "keys never go in pipeline definitions: store the key as a secret and name it in secretName");
  }
  let key: Buffer | undefined;
  if (secretName !== undefined && secretName !== "") {
    try {
      const parsed = parseAesKey(env.secret(secretName));
      if (typeof parsed === "string") r.add("secretName", `secret "${secretName}" ${parsed}`);
      else key = parsed;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      r.add("secretName", `secret "${secretName}" cannot be read${typeof code === "string" ? ` (${code})` : ""}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  r.done();
  const k = key!;
  return {
    name,
    process(ctx, data) {
      const sealed = encryptPayload(k, toBytes(ctx, data));
      if (output === "base64") {
        ctx.contentType = "text/plain";
        return sealed.toString("base64");
      }
      ctx.contentType = "application/octet-stream";
      return new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    },
  };
};
