import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEnv } from "../../src/context";
import { onError } from "../../src/lib/on-error";
import { requestContext } from "../../src/middleware/request-context";
import { at, ID } from "../harness/client";
import { makeUser } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
afterEach(() => vi.restoreAllMocks());

const logging = { LOG_REQUESTS: "true" };

/** The JSON lines written through `spy` whose `msg` is `msg`. */
const lines = (spy: { mock: { calls: unknown[][] } }, msg: string) =>
  spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>).filter((l) => l.msg === msg);

describe("one log line per request", () => {
  it("has the request id, method, route, status, duration and user id", async () => {
    const user = await makeUser(w);
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const res = await w.as(user, { env: logging, headers: { "x-request-id": "trace-123" } }).auth.profile.$get();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-123");
    expect(lines(spy, "request")).toEqual([
      {
        level: "info",
        msg: "request",
        time: expect.any(String),
        requestId: "trace-123",
        method: "GET",
        path: "/api/auth/profile",
        route: "/api/auth/profile",
        status: 200,
        ms: expect.any(Number),
        userId: user.id,
      },
    ]);
  });

  it("names the route pattern, not the path, and no route when none matched", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    await w.client({ env: logging }).api.products[ID].$get(at(999999));
    await w.request("/api/no-such-thing/", {}, logging);
    const [found, missing] = lines(spy, "request");
    expect(found).toMatchObject({ route: "/api/products/:id{[0-9]+}", status: 404 });
    expect(found).not.toHaveProperty("userId");
    expect(missing).toMatchObject({ route: null, status: 404 });
  });

  it("replaces an unsafe X-Request-Id with a fresh one", async () => {
    const res = await w.request("/api/", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("unexpected errors", () => {
  const boom = new Hono<AppEnv>()
    .use(requestContext())
    .get("/boom", () => {
      const driver = new TypeError("cannot read properties of undefined (reading 'rows')");
      throw new Error("Failed query: select * from users where email = $1\nparams: secret@example.com", {
        cause: driver,
      });
    })
    .onError(onError);

  it("are logged with their cause and answered as a bare 500", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const res = await boom.request("/boom", { headers: { "x-request-id": "err-1" } }, w.env);
    const body = await res.text();
    expect([res.status, JSON.parse(body)]).toEqual([500, { detail: "A server error occurred." }]);
    expect(body).not.toMatch(/users|rows|secret/);
    const [line] = lines(spy, "unhandled error");
    expect(line).toMatchObject({
      level: "error",
      requestId: "err-1",
      method: "GET",
      path: "/boom",
      error: expect.stringContaining("select * from users"),
      cause: ["TypeError: cannot read properties of undefined (reading 'rows')"],
      stack: expect.stringContaining("Failed query"),
    });
    // A failed query's values can be password hashes or emails: the log keeps the SQL only.
    expect(JSON.stringify(line)).not.toContain("secret@example.com");
  });
});
