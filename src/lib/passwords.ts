import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

/**
 * Django's hash format, `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, so the cost can be
 * raised later and hashes from the original service stay verifiable.
 * Ours use 100,000 iterations, the most PBKDF2 iterations workerd's WebCrypto allows
 * (cloudflare/workerd#1346).
 */
export const PBKDF2_ITERATIONS = 100_000;
/**
 * The most iterations an imported hash may ask for: Django 5.2 sets 1,000,000, about 0.75 s of
 * CPU in pure JS. A stored hash beyond this never logs in, so no row can make one attempt cost
 * tens of seconds.
 */
export const MAX_IMPORTED_ITERATIONS = 2_000_000;
const ALGORITHM = "pbkdf2_sha256";
const encoder = new TextEncoder();

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

async function derive(password: string, salt: string, iterations: number): Promise<Uint8Array> {
  if (iterations > PBKDF2_ITERATIONS) {
    // Above WebCrypto's cap (Django 3.2 and later): pure JS, about 0.75 ms of CPU per 1,000 iterations.
    return pbkdf2(sha256, encoder.encode(password), encoder.encode(salt), { c: iterations, dkLen: 32 });
  }
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(salt), iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/** Compares every byte whatever the first difference, so timing reveals nothing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i % b.length] ?? 0);
  return diff === 0;
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = toBase64(crypto.getRandomValues(new Uint8Array(16))).replace(/[^A-Za-z0-9]/g, "");
  return `${ALGORITHM}$${iterations}$${salt}$${toBase64(await derive(password, salt, iterations))}`;
}

/** A hash we can check: ours or Django's `pbkdf2_sha256` of any usable cost; null for anything else. */
function parse(encoded: string): { iterations: number; salt: string; hash: string } | null {
  const [algorithm, iterationsText = "", salt, hash, ...rest] = encoded.split("$");
  const iterations = Number(iterationsText);
  // A SHA-256 key is 32 bytes: 43 base64 characters and one `=`.
  const wellFormed = algorithm === ALGORITHM && !!salt && /^[A-Za-z0-9+/]{43}=$/.test(hash ?? "") && !rest.length;
  if (!wellFormed || !/^\d{1,7}$/.test(iterationsText) || iterations < 1 || iterations > MAX_IMPORTED_ITERATIONS) {
    return null;
  }
  return { iterations, salt, hash: hash! };
}

const DUMMY_SALT = "c2FsdHNhbHRzYWx0";

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) {
    // Unusable (Django's `!…`), or an algorithm we do not check (argon2, bcrypt_sha256, md5):
    // never a match, after the work a check costs, so the answer's timing tells nothing.
    await derive(password, DUMMY_SALT, PBKDF2_ITERATIONS);
    return false;
  }
  const ok = constantTimeEqual(await derive(password, parsed.salt, parsed.iterations), fromBase64(parsed.hash));
  // Django's harden_runtime: a wrong password against a cheaper hash costs what one of ours would.
  if (!ok && parsed.iterations < PBKDF2_ITERATIONS) {
    await derive(password, parsed.salt, PBKDF2_ITERATIONS - parsed.iterations);
  }
  return ok;
}

/** The iterations of a hash `verifyPassword` checks; null for one that never logs in. */
export const iterationsOf = (encoded: string): number | null => parse(encoded)?.iterations ?? null;

/**
 * Whether a hash that just verified should be replaced by one of ours (Django's `must_update`):
 * any other cost, such as an imported Django hash of 260,000 to 1,000,000 iterations, whose
 * every check costs up to ten times ours.
 */
export function needsRehash(encoded: string): boolean {
  return iterationsOf(encoded) !== PBKDF2_ITERATIONS;
}

/** Verified against when the username is unknown, so both failures cost the same time. */
export const DUMMY_HASH = `${ALGORITHM}$${PBKDF2_ITERATIONS}$${DUMMY_SALT}$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
