import * as z from "zod";
import { optionalQuery } from "../../lib/fields";

export const BUCKETS = ["day", "hour"] as const;
export type Bucket = (typeof BUCKETS)[number];

/** A range holds at most this many buckets, so an hourly series over years is refused, not computed. */
export const MAX_BUCKETS = 1000;
const DEFAULT_DAYS = 30;
const HOUR_MS = 3_600_000;
const BUCKET_MS: Record<Bucket, number> = { hour: HOUR_MS, day: 24 * HOUR_MS };

/** DRF's DateTimeField message. */
const DATETIME_FORMAT =
  "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
const instant = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?)?$/;

/**
 * A point in time as given: a date (midnight in `tz`), a local date-time (in `tz`) or one with an
 * offset. Postgres reads it in the request's time zone (stats.service.ts); here it is only checked.
 */
const when = z.string().trim().refine(validInstant, DATETIME_FORMAT);

/** The pattern, a real calendar day and time (Postgres refuses 2026-02-30 or 25:00), years 1970 to 9999. */
function validInstant(text: string): boolean {
  const m = instant.exec(text);
  if (!m) return false;
  const [y, mo, d] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1970 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return false;
  const [h = 0, min = 0, sec = 0] = (text.slice(11, 19).match(/\d\d/g) ?? []).map(Number);
  const offset = m[4]?.match(/\d\d/g)?.map(Number) ?? [0, 0];
  return h < 24 && min < 60 && sec < 60 && offset[0]! <= 15 && offset[1]! < 60;
}

/**
 * An IANA zone name as Intl knows it. Offsets ("+05:00") and POSIX strings are refused: Postgres
 * reads a POSIX offset's sign the other way round, so they would silently shift every bucket.
 */
const zone = z
  .string()
  .trim()
  .refine((name) => {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || /^(Etc\/)?GMT[+-]/i.test(name)) return false;
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }, "Unknown time zone: use an IANA name such as Europe/Berlin or UTC.");

export const statsQuery = z
  .object({
    from: optionalQuery(when).meta({ description: "Inclusive (default: 30 days before `to`)" }),
    to: optionalQuery(when).meta({ description: "Exclusive; a date means that day's end (default: now)" }),
    bucket: optionalQuery(z.enum(BUCKETS)).meta({ description: "Default `day`" }),
    tz: optionalQuery(zone).meta({ description: "IANA zone of buckets and dates (default `UTC`)" }),
  })
  .transform((q, ctx) => {
    const bucket = q.bucket ?? "day";
    const tz = q.tz ?? "UTC";
    // Offsets of any zone are within ±14 h: enough to check order and size before Postgres reads them exactly.
    const ms = (text: string, end: boolean) =>
      Date.parse(text.length === 10 ? `${text}T00:00:00Z` : /Z|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`) +
      (end && text.length === 10 ? BUCKET_MS.day : 0);
    const toMs = q.to === undefined ? Date.now() : ms(q.to, true);
    const fromMs = q.from === undefined ? toMs - DEFAULT_DAYS * BUCKET_MS.day : ms(q.from, false);
    if (q.from !== undefined && q.to !== undefined && fromMs >= toMs) {
      ctx.addIssue({ code: "custom", path: ["non_field_errors"], message: "`from` must be before `to`." });
      return z.NEVER;
    }
    if ((toMs - fromMs) / BUCKET_MS[bucket] > MAX_BUCKETS + 1) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `The range holds more than ${MAX_BUCKETS} buckets of ${bucket === "hour" ? "an hour" : "a day"}: narrow it or use a wider bucket.`,
      });
      return z.NEVER;
    }
    return { bucket, tz, from: q.from ?? null, to: q.to ?? null };
  });

export type StatsQuery = z.infer<typeof statsQuery>;
