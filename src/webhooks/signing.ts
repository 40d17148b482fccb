// Standard Webhooks (https://www.standardwebhooks.com): `whsec_` secrets, and an HMAC-SHA256 of
// "id.timestamp.body" sent as `v1,<base64>` in `webhook-signature`. Receivers verify with the
// `standardwebhooks` package (tests/e2e/webhooks.test.ts does).

const PREFIX = "whsec_";
const encoder = new TextEncoder();

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unbase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

/** A new signing secret: 32 random bytes. */
export const newSecret = (): string => PREFIX + base64(crypto.getRandomValues(new Uint8Array(32)));

async function signature(secret: string, content: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    unbase64(secret.slice(PREFIX.length)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return `v1,${base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(content))))}`;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The headers of one attempt. Every secret given signs (the new one and, during a rotation's
 * grace period, the old one), space-separated as the spec lists them, so a receiver holding either verifies.
 */
export async function signedHeaders(
  secrets: readonly string[],
  id: string,
  at: Date,
  body: string,
): Promise<SignedHeaders> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const content = `${id}.${timestamp}.${body}`;
  const signatures = await Promise.all(secrets.map((s) => signature(s, content)));
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}
