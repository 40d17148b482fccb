import { describe, expect, it } from "vitest";
import { parseSearch } from "../../src/lib/search.ts";

describe("parseSearch", () => {
  it("tells prefixes, positive words and exclusions apart", () => {
    expect(parseSearch("  mechanical keyb ")).toEqual({
      text: "mechanical keyb",
      prefix: true,
      positive: "mechanical keyb",
      anyWord: "mechanical or keyb",
      excluded: "",
    });
    expect(parseSearch('"usb cable" or mouse -wireless -"gaming mouse"')).toEqual({
      text: '"usb cable" or mouse -wireless -"gaming mouse"',
      prefix: false,
      positive: "usb cable mouse",
      anyWord: "usb or cable or mouse",
      excluded: 'wireless or "gaming mouse"',
    });
    expect(parseSearch("mouse or").prefix).toBe(false);
    expect(parseSearch("mouse -pad").prefix).toBe(false);
    expect(parseSearch("usb-c").prefix).toBe(false);
    expect(parseSearch('"laptop keyb').prefix).toBe(true);
    expect(parseSearch("k").prefix).toBe(false);
  });
});
