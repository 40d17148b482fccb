// Which webhook targets are refused before anything is sent (src/webhooks/address.ts).
import { describe, expect, it } from "vitest";
import { blockedAddress, checkUrl, isLoopbackAddress, REASONS } from "../../src/webhooks/address.ts";

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
    ["0.1.2.3", "reserved"],
    ["192.0.0.8", "reserved"],
    ["192.88.99.1", "reserved"],
    ["198.19.255.255", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    ["239.255.255.250", "multicast"],
    ["100.127.255.255", "shared"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["[::]", "unspecified"],
    ["FE80::ABCD", "link-local"],
    ["febf::1", "link-local"],
    ["fdff:ffff::1", "unique-local"],
    ["3fff::1", "reserved"],
    ["100::1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"], // Teredo
    ["::2", "reserved"],
    ["4000::1", "reserved"],
    ["::ffff:0.0.0.0", "unspecified"],
    ["::ffff:100.64.0.1", "shared"],
    ["::ffff:224.0.0.1", "multicast"],
    ["::ffff:0:7f00:1", "loopback"], // IPv4-translated
    ["::7f00:1", "loopback"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b:1::a00:1", "private"],
    ["64:ff9b:1:a00:0:100::", "private"], // RFC 6052's /48 layout: 10.0.0.1
    ["2002:7f00:1::", "loopback"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["64:ff9b:1:a00:1:100:0:1", "reserved"], // neither layout
    ["2a00::2:3:4:5:6:7", null],
    ["not-an-ip", "invalid"],
    ["", "invalid"],
    ["010.0.0.1", "invalid"],
    ["1.2.3.4.5", "invalid"],
    ["::ffff:1.2.3", "invalid"],
    ["1.2.3.4::", "invalid"],
    [":1", "invalid"],
    ["1:", "invalid"],
    [":::", "invalid"],
    ["12345::", "invalid"],
    ["g::1", "invalid"],
    ["1:2:3:4:5:6:7:8::", "invalid"],
    ["[::1", "invalid"],
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
    "1.1.1.1",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1:2:3:4:5:6::",
    "64:ff9b:1:808:8:800::",
    "2001:db9::1",
    "64:ff9b:1::808:808",
  ])("%s is public", (ip) => {
    expect(blockedAddress(ip)).toBeNull();
  });
});

describe("isLoopbackAddress", () => {
  it("is 127/8, ::1 and their IPv4-mapped forms, not what only embeds them", () => {
    for (const ip of [
      "127.0.0.1",
      "127.9.9.9",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "[::ffff:7f01:203]",
    ])
      expect(isLoopbackAddress(ip), ip).toBe(true);
    for (const ip of ["128.0.0.1", "10.0.0.1", "::", "::2", "2002:7f00:1::", "64:ff9b::7f00:1", "localhost", "junk"])
      expect(isLoopbackAddress(ip), ip).toBe(false);
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
      expect(reason(raw), raw).toBe(REASONS.address);
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
      expect(reason(raw), raw).toBe(REASONS.address);
    expect(reason(`https://hooks.example.com/${"a".repeat(2000)}`)).toMatch(/no more than 2000 characters/);
  });

  it("hands back the host as the URL parser normalized it", () => {
    const host = (raw: string, policy = prod) => {
      const check = checkUrl(raw, policy);
      return check.ok ? check.host : check.reason;
    };
    // The parser's own rewriting, which the checks rely on.
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://2130706433/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0177.0.0.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
    expect(host("https://[2606:4700::1111]:8443/x")).toEqual({ ip: "2606:4700::1111" });
    expect(host("https://[2606:4700:0000::1111]/")).toEqual({ ip: "2606:4700::1111" });
    expect(host("https://8.8.8.8./")).toEqual({ ip: "8.8.8.8" });
    expect(host("https://134744072/")).toEqual({ ip: "8.8.8.8" });
    expect(host("https://Hooks.Example.COM./x")).toEqual({ name: "hooks.example.com" });
    expect(host("HTTPS://hooks.example.com")).toEqual({ name: "hooks.example.com" });
    expect(host("https://bücher.example/")).toEqual({ name: "xn--bcher-kva.example" });
  });

  it("refuses every private spelling, however the parser rewrites it", () => {
    for (const raw of [
      "https://127.0.0.1./",
      "https://0/",
      "https://0.0.0.0/",
      "https://[::]/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:10.0.0.1]/",
      "https://[64:ff9b::169.254.169.254]/",
      "https://[2002:a9fe:a9fe::]/",
      "https://[fd00:ec2::254]/",
      "https://[fe80::1]/",
      "https://100.100.100.200/",
      "https://10.0.0.1/",
      "https://192.168.1.1:8443/",
      "https://100.64.1.1/",
      "https://224.0.0.1/",
      "https://255.255.255.255/",
      "https://LOCALHOST./",
      "https://a.b.localhost/",
      "https://router.localdomain/",
      "https://metadata.google.internal./computeMetadata/v1/",
      "https://metadata/",
    ])
      expect(reason(raw), raw).toBe(REASONS.address);
  });

  it("refuses what is not a URL, or one without a host", () => {
    for (const raw of [
      "",
      "hooks.example.com/x",
      "https://",
      "https://[fe80::1%25eth0]/",
      "https://1.2.3.4.5/",
      "https:// x/",
    ])
      expect(reason(raw), raw).toBe("Enter a valid URL.");
    for (const raw of [
      "mailto:a@example.com",
      "data:text/plain,hi",
      "ws://hooks.example.com/",
      "wss://hooks.example.com/",
    ])
      expect(reason(raw), raw).toBe("Only https URLs are allowed.");
    expect(reason("https://user@hooks.example.com/")).toBe("URLs with credentials are not allowed.");
    expect(reason("https://:pw@hooks.example.com/")).toBe("URLs with credentials are not allowed.");
    expect(reason("http://user:pw@127.0.0.1/", dev)).toBe("URLs with credentials are not allowed.");
  });

  it("counts 2000 characters, as written and as the parser spells it", () => {
    const base = "https://hooks.example.com/";
    expect(reason(base + "a".repeat(2000 - base.length))).toBeNull();
    expect(reason(base + "a".repeat(2001 - base.length))).toBe("Ensure this URL has no more than 2000 characters.");
    // Each space becomes %20: short as written, too long as sent.
    expect(reason(base + " x".repeat(700))).toBe("Ensure this URL has no more than 2000 characters.");
  });

  it("lets development reach loopback, over http too, and nothing else private", () => {
    expect(reason("http://127.0.0.1:9000/hook", dev)).toBeNull();
    expect(reason("http://localhost:9000/hook", dev)).toBeNull();
    expect(reason("http://[::1]:9000/hook", dev)).toBeNull();
    expect(reason("http://10.0.0.1/hook", dev)).toBe("Only https URLs are allowed.");
    expect(reason("https://10.0.0.1/hook", dev)).toBe(REASONS.address);
    expect(reason("https://169.254.169.254/", dev)).toBe(REASONS.address);
    expect(reason("http://127.0.0.1:9000/hook", prod)).toBe("Only https URLs are allowed.");
    expect(reason("http://0x7f.1:9000/", dev)).toBeNull();
    expect(reason("http://[::ffff:127.0.0.1]:9000/", dev)).toBeNull();
    expect(reason("http://app.localhost:9000/", dev)).toBeNull();
    expect(reason("https://127.0.0.1/", dev)).toBeNull();
    // Only what reaches this machine itself: embeddings of 127/8 in routed prefixes do not.
    expect(reason("http://[2002:7f00:1::]/", dev)).toBe("Only https URLs are allowed.");
    expect(reason("https://[2002:7f00:1::]/", dev)).toBe(REASONS.address);
    expect(reason("http://hooks.example.com/", dev)).toBe("Only https URLs are allowed.");
    expect(reason("https://intranet/", dev)).toBe(REASONS.address);
  });
});
