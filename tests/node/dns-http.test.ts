// The resolver stand-in (scripts/local/dns-http.ts) and the address check through it
// (src/webhooks/resolve.ts), as the Worker calls them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsHttp, startDnsHttp } from "../../scripts/local/dns-http.ts";
import { newSecret } from "../../scripts/local/guard.ts";
import { PRIVATE_ADDRESS } from "../../src/webhooks/address.ts";
import { guardUrl, resolveHost } from "../../src/webhooks/resolve.ts";

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
    },
  });
});
afterAll(() => dns.close());

describe("the resolver stand-in", () => {
  it("listens on loopback only", () => {
    expect(new URL(dns.url).hostname).toBe("127.0.0.1");
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
  });
});

describe("guardUrl", () => {
  const prod = { allowLoopback: false };
  const reason = async (raw: string, r = resolver()) => {
    const check = await guardUrl(raw, prod, r);
    return check.ok ? null : check.reason;
  };

  it("takes a name whose every address is public", async () => {
    expect(await reason("https://public.shop.test/hook")).toBeNull();
  });

  it("refuses a name with any private address, one that does not resolve, and a resolver that is down", async () => {
    expect(await reason("https://private.shop.test/hook")).toBe(PRIVATE_ADDRESS);
    expect(await reason("https://mixed.shop.test/hook")).toBe(PRIVATE_ADDRESS);
    expect(await reason("https://nosuch.invalid/hook")).toBe("The host name does not resolve.");
    expect(await reason("https://public.shop.test/hook", { url: "http://127.0.0.1:9/dns-query", key: secret })).toBe(
      "The host name could not be resolved, try again later.",
    );
    expect(await reason("https://public.shop.test/hook", { url: dns.url, key: "wrong" })).toBe(
      "The host name could not be resolved, try again later.",
    );
  });

  it("asks nothing for an address written in the URL", async () => {
    const refuse = () => Promise.reject(new Error("no lookup expected"));
    expect(await guardUrl("https://10.0.0.1/", prod, resolver(), refuse)).toMatchObject({ ok: false });
    expect(await guardUrl("https://8.8.8.8/", prod, resolver(), refuse)).toMatchObject({ ok: true });
  });
});
