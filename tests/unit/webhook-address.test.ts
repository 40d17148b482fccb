// Which webhook targets are refused before anything is sent (src/webhooks/address.ts).
import { describe, expect, it } from "vitest";
import { blockedAddress, checkUrl, PRIVATE_ADDRESS } from "../../src/webhooks/address.ts";

describe("blockedAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "shared"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["fd00:ec2::254", "metadata"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["fec0::1", "site-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "reserved"],
    // IPv6 forms that carry an IPv4 address are judged by it.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["[::ffff:a9fe:a9fe]", "metadata"],
    ["::ffff:10.0.0.1", "private"],
    ["::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:a00:1::1", "private"],
    ["not-an-ip", "invalid"],
    ["1.2.3", "invalid"],
    ["1.2.3.256", "invalid"],
    ["fe80::1%eth0", "invalid"],
    ["1:2:3:4:5:6:7:8:9", "invalid"],
    ["1::2::3", "invalid"],
  ])("%s is %s", (ip, reason) => {
    expect(blockedAddress(ip)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "93.184.216.34",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "[2a00:1450:4001::200e]",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is public", (ip) => {
    expect(blockedAddress(ip)).toBeNull();
  });
});

describe("checkUrl", () => {
  const prod = { allowLoopback: false };
  const dev = { allowLoopback: true };
  const reason = (raw: string, policy = prod) => {
    const check = checkUrl(raw, policy);
    return check.ok ? null : check.reason;
  };

  it("takes https to a public address or a name", () => {
    expect(checkUrl("https://8.8.8.8/hook", prod)).toMatchObject({ ok: true, host: { ip: "8.8.8.8" } });
    expect(checkUrl("https://hooks.example.com/x?y=1", prod)).toMatchObject({
      ok: true,
      host: { name: "hooks.example.com" },
    });
    // A name that spells an address is still a name: it is resolved and judged by what it resolves to.
    expect(checkUrl("https://169.254.169.254.nip.io/", prod)).toMatchObject({
      ok: true,
      host: { name: "169.254.169.254.nip.io" },
    });
  });

  it("sees through the URL parser's spellings of loopback and metadata addresses", () => {
    for (const raw of [
      "https://0x7f.1/",
      "https://2130706433/",
      "https://0177.0.0.1/",
      "https://127.1/",
      "https://[::ffff:169.254.169.254]/",
      "https://0xa9fea9fe/",
      "https://[0:0:0:0:0:ffff:a9fe:a9fe]/",
    ]) {
      expect(reason(raw), raw).toBe(PRIVATE_ADDRESS);
    }
  });

  it("refuses other schemes, credentials, internal names and overlong URLs", () => {
    expect(reason("http://hooks.example.com/")).toBe("Only https URLs are allowed.");
    for (const raw of ["ftp://hooks.example.com/", "file:///etc/passwd", "javascript:alert(1)", "gopher://x.example/"])
      expect(reason(raw), raw).toBe("Only https URLs are allowed.");
    expect(reason("https://user:pw@hooks.example.com/")).toBe("URLs with credentials are not allowed.");
    expect(reason("not a url")).toBe("Enter a valid URL.");
    for (const raw of [
      "https://localhost/",
      "https://app.localhost/",
      "https://intranet/",
      "https://db.internal/",
      "https://metadata.google.internal/",
      "https://printer.local/",
      "https://nas.home.arpa/",
    ])
      expect(reason(raw), raw).toBe(PRIVATE_ADDRESS);
    expect(reason(`https://hooks.example.com/${"a".repeat(2000)}`)).toMatch(/no more than 2000 characters/);
  });

  it("lets development reach loopback, over http too, and nothing else private", () => {
    expect(reason("http://127.0.0.1:9000/hook", dev)).toBeNull();
    expect(reason("http://localhost:9000/hook", dev)).toBeNull();
    expect(reason("http://[::1]:9000/hook", dev)).toBeNull();
    expect(reason("http://10.0.0.1/hook", dev)).toBe("Only https URLs are allowed.");
    expect(reason("https://10.0.0.1/hook", dev)).toBe(PRIVATE_ADDRESS);
    expect(reason("https://169.254.169.254/", dev)).toBe(PRIVATE_ADDRESS);
    expect(reason("http://127.0.0.1:9000/hook", prod)).toBe("Only https URLs are allowed.");
  });
});
