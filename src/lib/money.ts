/**
 * Money is numeric(10,2): at most 8 digits before the point and 2 after. Inputs are checked
 * as text so no value ever passes through float arithmetic; the messages are DRF's.
 */
export const MONEY_MAX_DIGITS = 10;
export const MONEY_DECIMAL_PLACES = 2;

export type MoneyResult = { ok: true; value: string } | { ok: false; error: string };

const INVALID = "A valid number is required.";
// Plain decimal notation only: an exponent ("1e3") or "NaN"/"Infinity" is not money.
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const MAX_TEXT = 40;

/**
 * Text of a JSON number or a numeric string. `String()` of a JS number is its shortest exact
 * round-trip form (`19.99` → "19.99"), so a number sent as 19.99 is read as exactly 19.99;
 * tiny or huge numbers come out in exponent form and are refused by the decimal pattern.
 */
function decimalText(input: unknown): string | null {
  if (typeof input === "number") return Number.isFinite(input) ? String(input) : null;
  if (typeof input === "string" && input.length <= MAX_TEXT) return input.trim();
  return null;
}

/** Parses a decimal and checks it fits numeric(10,2); `value` is canonical ("0.10", "1000.00"). */
export function parseDecimal(input: unknown): MoneyResult {
  const text = decimalText(input);
  const match = text === null ? null : DECIMAL.exec(text);
  if (!match || (!match[2] && !match[3])) return { ok: false, error: INVALID };
  const [, sign, rawWhole = "", fraction = ""] = match;
  const whole = rawWhole.replace(/^0+/, "");
  // DRF counts the digits as written after the point ("19.990" has three places).
  if (whole.length + fraction.length > MONEY_MAX_DIGITS) {
    return { ok: false, error: `Ensure that there are no more than ${MONEY_MAX_DIGITS} digits in total.` };
  }
  if (fraction.length > MONEY_DECIMAL_PLACES) {
    return { ok: false, error: `Ensure that there are no more than ${MONEY_DECIMAL_PLACES} decimal places.` };
  }
  const wholeMax = MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES;
  if (whole.length > wholeMax) {
    return { ok: false, error: `Ensure that there are no more than ${wholeMax} digits before the decimal point.` };
  }
  const isZero = !/[1-9]/.test(whole + fraction);
  const value = `${sign === "-" && !isZero ? "-" : ""}${whole || "0"}.${fraction.padEnd(MONEY_DECIMAL_PLACES, "0")}`;
  return { ok: true, value };
}

/** A price: a decimal that fits numeric(10,2) and is greater than zero. */
export function parseMoney(input: unknown): MoneyResult {
  const result = parseDecimal(input);
  if (result.ok && (result.value.startsWith("-") || !/[1-9]/.test(result.value))) {
    return { ok: false, error: "Ensure this value is greater than 0." };
  }
  return result;
}
