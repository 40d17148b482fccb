import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  DUMMY_HASH,
  hashPassword,
  MAX_IMPORTED_ITERATIONS,
  needsRehash,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from "../../src/lib/passwords.ts";

/** A hash as Django's PBKDF2PasswordHasher writes it, computed by Node's own crypto. */
const django = (password: string, iterations: number, salt = "Xq3Lp9sTzR2mVb7Kd1Yw") =>
  `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64")}`;

describe("passwords", () => {
  it("stores algorithm, iterations and salt with the hash", async () => {
    const encoded = await hashPassword("correct horse");
    expect(encoded).toMatch(new RegExp(`^pbkdf2_sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9]+\\$[A-Za-z0-9+/=]{44}$`));
    expect(await hashPassword("correct horse")).not.toBe(encoded);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const encoded = await hashPassword("s3cret-pass", 1000);
    expect(await verifyPassword("s3cret-pass", encoded)).toBe(true);
    expect(await verifyPassword("s3cret-pasS", encoded)).toBe(false);
  });

  it("matches the RFC 7914 PBKDF2-HMAC-SHA256 test vector in Django's format", async () => {
    expect(await verifyPassword("passwd", "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=")).toBe(
      true,
    );
  });

  // 3.7 million PBKDF2 rounds in pure JavaScript by design (4 s idle, twice that beside the other
  // test files on 2 cores): the cost of a first login is the point, so the time limit is generous.
  it("verifies Django's hashes of every generation (3.2, 4.2, 5.2), above WebCrypto's cap", {
    timeout: 60_000,
  }, async () => {
    for (const iterations of [260_000, 600_000, 1_000_000]) {
      const encoded = django("über-secret 42", iterations);
      expect(await verifyPassword("über-secret 42", encoded), `${iterations}`).toBe(true);
      expect(await verifyPassword("über-secret 43", encoded), `${iterations}`).toBe(false);
    }
  });

  it("asks for a rehash of any hash but ours, as Django's must_update does", async () => {
    expect(needsRehash(await hashPassword("x-password"))).toBe(false);
    expect(needsRehash(django("x", 1_000_000))).toBe(true);
    expect(needsRehash(django("x", 36_000))).toBe(true);
    expect(needsRehash(django("x", PBKDF2_ITERATIONS))).toBe(false);
  });

  it("never logs in with an unusable password or an algorithm it does not check", async () => {
    for (const encoded of [
      "!R8pxc0V6QFzH4ZbGk1sTcYWm2NaLuJd9EoIq3Bvr",
      "",
      "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$5c9Y9hoX2b8QKsvJ5I2c1Q",
      "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuAbCdEfGhIjKlMnOpQrStUvWxYz0123",
      "md5$salt$3858f62230ac3c915f300c664312c63f",
      DUMMY_HASH,
    ]) {
      expect(await verifyPassword("anything", encoded), encoded).toBe(false);
    }
  });

  it("refuses malformed hashes and costs above what an imported hash may ask", async () => {
    expect(await verifyPassword("x", "md5$1$a$b")).toBe(false);
    expect(await verifyPassword("x", "pbkdf2_sha256$100001$a$b")).toBe(false);
    expect(await verifyPassword("x", "pbkdf2_sha256$1$a$b$c")).toBe(false);
    expect(await verifyPassword("x", django("x", 1).replace("$1$", "$0$"))).toBe(false);
    expect(await verifyPassword("x", django("x", 1).replace("$1$", `$${MAX_IMPORTED_ITERATIONS + 1}$`))).toBe(false);
  });

  it("compares in constant time whatever the lengths", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([1]))).toBe(false);
  });
});
