import { describe, expect, it } from "vitest";
import { parseDecimal, parseMoney } from "../../src/lib/money.ts";

const ok = (value: string) => ({ ok: true, value });
const err = (error: string) => ({ ok: false, error });

describe("parseMoney", () => {
  it("reads numeric strings and JSON numbers exactly, as canonical two-place strings", () => {
    expect(parseMoney("19.99")).toEqual(ok("19.99"));
    expect(parseMoney(19.99)).toEqual(ok("19.99"));
    expect(parseMoney("0.10")).toEqual(ok("0.10"));
    expect(parseMoney(0.1)).toEqual(ok("0.10"));
    expect(parseMoney(1e3)).toEqual(ok("1000.00"));
    expect(parseMoney(" 007.5 ")).toEqual(ok("7.50"));
    expect(parseMoney("5.")).toEqual(ok("5.00"));
    expect(parseMoney(".5")).toEqual(ok("0.50"));
    expect(parseMoney("+12")).toEqual(ok("12.00"));
    expect(parseMoney("99999999.99")).toEqual(ok("99999999.99"));
    expect(parseMoney(1299.99)).toEqual(ok("1299.99"));
  });

  it("never rounds: more than two places is refused, float noise included", () => {
    expect(parseMoney("19.999")).toEqual(err("Ensure that there are no more than 2 decimal places."));
    expect(parseMoney("19.990")).toEqual(err("Ensure that there are no more than 2 decimal places."));
    expect(parseMoney(0.1 + 0.2)).toEqual(err("Ensure that there are no more than 10 digits in total."));
    expect(parseMoney(1.005)).toEqual(err("Ensure that there are no more than 2 decimal places."));
  });

  it("refuses what numeric(10,2) cannot hold and what is not positive", () => {
    expect(parseMoney("100000000")).toEqual(
      err("Ensure that there are no more than 8 digits before the decimal point."),
    );
    expect(parseMoney("123456789.12")).toEqual(err("Ensure that there are no more than 10 digits in total."));
    expect(parseMoney(1e21)).toEqual(err("A valid number is required."));
    expect(parseMoney("0")).toEqual(err("Ensure this value is greater than 0."));
    expect(parseMoney("-0.00")).toEqual(err("Ensure this value is greater than 0."));
    expect(parseMoney(-1)).toEqual(err("Ensure this value is greater than 0."));
  });

  it("refuses exponents, words and other types", () => {
    for (const input of [
      "1e3",
      "1E3",
      "NaN",
      "Infinity",
      "",
      ".",
      "1,5",
      "0x10",
      "1 2",
      NaN,
      Infinity,
      true,
      [],
      {},
      "9".repeat(41),
    ]) {
      expect(parseMoney(input), String(input)).toEqual(err("A valid number is required."));
    }
  });

  it("parseDecimal keeps the sign for filters", () => {
    expect(parseDecimal("-5")).toEqual(ok("-5.00"));
    expect(parseDecimal("0")).toEqual(ok("0.00"));
    expect(parseDecimal("-0")).toEqual(ok("0.00"));
  });
});
