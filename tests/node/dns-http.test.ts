// The resolver stand-in (scripts/local/dns-http.ts) and the address check through it
// (src/webhooks/resolve.ts), as the Worker calls them.
import { createServer } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsHttp, startDnsHttp } from "../../scripts/local/dns-http.ts";
import { newSecret } from "../../scripts/local/guard.ts";
import { REASONS } from "../../src/webhooks/address.ts";
import { guardUrl, type Resolver, resolveHost } from "../../src/webhooks/resolve.ts";

let dns: DnsHttp;
const secret = newSecret();
const resolver = () => ({ url: dns.url, key: secret });

beforeAll(async () => {
  dns = await startDnsHttp({
    secret,
    names: {
      "private.shop.test": ["10.0.0.5"],
      "public.shop.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
      "Mixed.Shop.Test.": ["93.184.216.34", "192.168.0.7"],
      "v6-private.shop.test": ["93.184.216.34", "fd12::1"],
      "loop.shop.test": ["127.0.0.1", "::1"],
      "gone.shop.test": [],
    },
  });
});
afterAll(() => dns.close());

describe("the resolver stand-in", () => {
  it("listens on loopback only", async () => {
    const url = new URL(dns.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.pathname).toBe("/dns-query");
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    if (outside) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(Number(url.port), outside.address);
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it("answers DoH JSON by family, and refuses a request addressed to another host", async () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${dns.url}?${query}`, { headers: { authorization: `Bearer ${secret}`, ...headers } });
    const a = await get("name=public.shop.test&type=A");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("application/dns-json");
    expect(await a.json()).toMatchObject({
      Status: 0,
      Answer: [{ name: "public.shop.test", type: 1, data: "93.184.216.34" }],
    });
    expect(await (await get("name=PUBLIC.shop.test.&type=aaaa")).json()).toMatchObject({
      Status: 0,
      Answer: [{ type: 28, data: "2606:2800:220:1:248:1893:25c8:1946" }],
    });
    expect(await (await get("name=private.shop.test&type=AAAA")).json()).not.toHaveProperty("Answer");
    expect(await (await get("name=gone.shop.test&type=A")).json()).toMatchObject({ Status: 3 });
    expect((await get("name=public.shop.test&type=MX")).status).toBe(400);
    expect((await get("type=A")).status).toBe(400);
    expect(
      (await fetch(dns.url.replace("/dns-query", "/other"), { headers: { authorization: `Bearer ${secret}` } })).status,
    ).toBe(404);
    // A page that rebinds its name to 127.0.0.1 reaches the port, but its requests name that page's host.
    const rebound = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(new URL(dns.url).port), "127.0.0.1", () => {
        socket.write(
          `GET /dns-query?name=x.test&type=A HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${secret}\r\nConnection: close\r\n\r\n`,
        );
      });
      let text = "";
      socket.on("data", (chunk) => (text += chunk));
      socket.on("end", () => resolve(Number(text.split(" ")[1])));
      socket.on("error", reject);
    });
    expect(rebound).toBe(403);
  });

  it("refuses a request without the run's secret, and any from a web page", async () => {
    const url = `${dns.url}?name=public.shop.test&type=A`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const fromPage = await fetch(url, {
      headers: { authorization: `Bearer ${secret}`, origin: "https://evil.example" },
    });
    expect(fromPage.status).toBe(403);
  });

  it("answers its table by family, this machine's names, and NXDOMAIN", async () => {
    expect(await resolveHost("public.shop.test", resolver())).toEqual([
      "93.184.216.34",
      "2606:2800:220:1:248:1893:25c8:1946",
    ]);
    expect(await resolveHost("MIXED.shop.test", resolver())).toEqual(["93.184.216.34", "192.168.0.7"]);
    expect(await resolveHost("localhost", resolver())).toContain("127.0.0.1");
    expect(await resolveHost("nosuch.invalid", resolver())).toEqual([]);
    expect(await resolveHost("gone.shop.test", resolver())).toEqual([]);
  });

  it("reads its table at each request, so a test can make a name rebind", async () => {
    const names: Record<string, string[]> = { "moving.shop.test": ["93.184.216.34"] };
    const own = await startDnsHttp({ secret, names });
    try {
      const r = { url: own.url, key: secret };
      expect(await guardUrl("https://moving.shop.test/", { allowLoopback: false }, r)).toMatchObject({ ok: true });
      names["moving.shop.test"] = ["10.0.0.5"];
      expect(await guardUrl("https://moving.shop.test/", { allowLoopback: false }, r)).toMatchObject({ ok: false });
    } finally {
      await own.close();
    }
  });
});

describe("guardUrl", () => {
  const prod = { allowLoopback: false };
  const reason = async (raw: string, r: Resolver = resolver()) => {
    const check = await guardUrl(raw, prod, r);
    return check.ok ? null : check.reason;
  };

  it("takes a name whose every address is public", async () => {
    expect(await reason("https://public.shop.test/hook")).toBeNull();
  });

  it("refuses a name with any private address, one that does not resolve, and a resolver that is down", async () => {
    expect(await reason("https://private.shop.test/hook")).toBe(REASONS.address);
    expect(await reason("https://mixed.shop.test/hook")).toBe(REASONS.address);
    expect(await reason("https://nosuch.invalid/hook")).toBe("The host name does not resolve.");
    expect(await reason("https://public.shop.test/hook", { url: "http://127.0.0.1:9/dns-query", key: secret })).toBe(
      "The host name could not be resolved, try again later.",
    );
    expect(await reason("https://public.shop.test/hook", { url: dns.url, key: "wrong" })).toBe(
      "The host name could not be resolved, try again later.",
    );
  });

  it("refuses a private IPv6 address among public ones, and loopback unless development allows it", async () => {
    expect(await reason("https://v6-private.shop.test/")).toBe(REASONS.address);
    expect(await reason("https://loop.shop.test/")).toBe(REASONS.address);
    expect(await guardUrl("https://loop.shop.test/", { allowLoopback: true }, resolver())).toMatchObject({ ok: true });
    expect(await guardUrl("http://loop.shop.test/", { allowLoopback: true }, resolver())).toMatchObject({
      ok: false,
      reason: "Only https URLs are allowed.",
    });
  });

  it("gives up on a resolver that does not answer in time, or answers nonsense", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as { port: number };
      const slow = { url: `http://127.0.0.1:${port}/dns-query`, timeoutMs: 200 };
      const started = Date.now();
      await expect(resolveHost("public.shop.test", slow)).rejects.toThrow(/did not answer within 200 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await reason("https://public.shop.test/", slow)).toBe(
        "The host name could not be resolved, try again later.",
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const answering =
      (body: unknown, status = 200) =>
      async () =>
        Response.json(body, { status });
    const r = resolver();
    await expect(resolveHost("x.test", r, answering({ Status: 2 }))).rejects.toThrow(/status 2/);
    await expect(resolveHost("x.test", r, answering({ nope: true }))).rejects.toThrow(/not DNS JSON/);
    await expect(resolveHost("x.test", r, answering({}, 502))).rejects.toThrow(/HTTP 502/);
    await expect(resolveHost("x.test", r, answering({ Status: 0 }))).resolves.toEqual([]);
    // CNAMEs in the chain are skipped; the addresses of its end count.
    const chain = {
      Status: 0,
      Answer: [
        { name: "x.test", type: 5, data: "y.test." },
        { name: "y.test", type: 1, data: "10.1.1.1" },
      ],
    };
    expect(await resolveHost("x.test", r, answering(chain))).toEqual(["10.1.1.1"]);
    expect(await guardUrl("https://x.test/", prod, r, answering(chain))).toMatchObject({
      ok: false,
      reason: REASONS.address,
    });
    // What is not an address is not waved through.
    const junk = { Status: 0, Answer: [{ name: "x.test", type: 1, data: "not-an-address" }] };
    expect(await guardUrl("https://x.test/", prod, r, answering(junk))).toMatchObject({ ok: false });
  });

  it("sends the key as a bearer token, and the name and type as query parameters", async () => {
    const seen: Request[] = [];
    const recording = (async (input: URL | RequestInfo, init?: RequestInit) => {
      seen.push(new Request(input, init));
      return Response.json({ Status: 0, Answer: [{ name: "x.test", type: 1, data: "93.184.216.34" }] });
    }) as typeof fetch;
    expect(await resolveHost("x.test", { url: "https://doh.example/dns-query?ct=x", key: "k" }, recording)).toEqual([
      "93.184.216.34",
    ]);
    expect(seen.map((q) => new URL(q.url).searchParams.get("type")).sort()).toEqual(["A", "AAAA"]);
    for (const q of seen) {
      expect(new URL(q.url).searchParams.get("name")).toBe("x.test");
      expect(new URL(q.url).searchParams.get("ct")).toBe("x");
      expect(q.headers.get("authorization")).toBe("Bearer k");
      expect(q.headers.get("accept")).toBe("application/dns-json");
    }
    seen.length = 0;
    await resolveHost("x.test", { url: "https://doh.example/dns-query" }, recording);
    expect(seen[0]?.headers.get("authorization")).toBeNull();
  });

  it("takes localhost names as loopback in development without asking", async () => {
    const refuse = () => Promise.reject(new Error("no lookup expected"));
    expect(await guardUrl("http://localhost:9000/", { allowLoopback: true }, resolver(), refuse)).toMatchObject({
      ok: true,
    });
    expect(await guardUrl("https://localhost/", prod, resolver(), refuse)).toMatchObject({
      ok: false,
      reason: REASONS.address,
    });
  });

  it("asks nothing for an address written in the URL", async () => {
    const refuse = () => Promise.reject(new Error("no lookup expected"));
    expect(await guardUrl("https://10.0.0.1/", prod, resolver(), refuse)).toMatchObject({ ok: false });
    expect(await guardUrl("https://8.8.8.8/", prod, resolver(), refuse)).toMatchObject({ ok: true });
  });
});
