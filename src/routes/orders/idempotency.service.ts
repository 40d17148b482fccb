import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { badRequest } from "../../lib/errors";

/*
 * Idempotency-Key for placing orders (placement.service.ts). The key row is claimed inside the
 * placing statement once the order is known to succeed: the primary key (user_id, key) makes a
 * concurrent duplicate wait until the first commits, then answer what it answered. Only a
 * successful 201 is ever stored; a refused attempt claims nothing, so the client may retry it
 * after fixing the cause.
 */

export interface IdempotencyKey {
  key: string;
  /** SHA-256 of the request body as canonical JSON (object keys sorted). */
  hash: string;
}

/** A stored first response: its status and its exact body text. */
export interface StoredResponse {
  status: number;
  text: string;
}

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
};

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads the header; call after the body was validated (the parsed body is cached by Hono). */
export async function readIdempotencyKey(c: Context<AppEnv>): Promise<IdempotencyKey | null> {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return null;
  if (key.length < 1 || key.length > 255) throw badRequest("Idempotency-Key must be 1 to 255 characters long.");
  const body: unknown = await c.req.json();
  return { key, hash: await sha256Hex(JSON.stringify(canonical(body))) };
}
