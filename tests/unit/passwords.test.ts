import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  DUMMY_HASH,
  hashPassword,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from "../../src/lib/passwords.ts";

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

  it("refuses malformed hashes and costs above the runtime's limit", async () => {
    expect(await verifyPassword("x", "md5$1$a$b")).toBe(false);
    expect(await verifyPassword("x", "pbkdf2_sha256$100001$a$b")).toBe(false);
    expect(await verifyPassword("anything", DUMMY_HASH)).toBe(false);
  });

  it("compares in constant time whatever the lengths", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([1]))).toBe(false);
  });
});
