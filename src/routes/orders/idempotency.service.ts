import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import type { Sql } from "../../db/client";
import { ApiError, badRequest } from "../../lib/errors";

/*
 * Idempotency-Key for placing orders. The key row is inserted first inside the order's
 * transaction: the primary key (user_id, key) makes a concurrent duplicate wait until the first
 * transaction ends, then see its row. Only a successful 201 is ever committed; a failed attempt
 * rolls back with its key, so the client may retry it after fixing the cause.
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

/**
 * Claims the key for this transaction, or returns the response recorded by the transaction that
 * claimed it first. The placeholder row is only ever visible to others once `recordResponse` filled it.
 */
export async function claimKey(tx: Sql, userId: number, { key, hash }: IdempotencyKey): Promise<StoredResponse | null> {
  const claimed = await tx.execute(sql`
    INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response)
    VALUES (${userId}, ${key}, ${hash}, 0, 'null') ON CONFLICT (user_id, key) DO NOTHING RETURNING key`);
  if (claimed.rows.length) return null;
  // A new statement: it sees the row the other transaction committed while this one waited.
  const { rows } = await tx.execute<{ request_hash: string; status_code: number; response: unknown }>(sql`
    SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = ${userId} AND key = ${key}`);
  const stored = rows[0];
  if (!stored || typeof stored.response !== "string") throw new Error("idempotency key row without a response");
  if (stored.request_hash !== hash) {
    throw new ApiError(422, { detail: "Idempotency-Key reused with a different request body." });
  }
  return { status: stored.status_code, text: stored.response };
}

/** Stores the exact body text (as a JSON string value) so a replay is byte-for-byte the first answer. */
export async function recordResponse(tx: Sql, userId: number, key: string, response: StoredResponse): Promise<void> {
  await tx.execute(sql`
    UPDATE idempotency_keys SET status_code = ${response.status}, response = to_jsonb(${response.text}::text)
    WHERE user_id = ${userId} AND key = ${key}`);
}
