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
const instant = /^\d{4}-\d\d-\d\d(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-5]):[0-5]\d)?)?$/;

/**
 * A point in time as given: a date (midnight in `tz`), a local date-time (in `tz`) or one with an
 * offset. Postgres reads it in the request's time zone (stats.service.ts); here it is only checked,
 * the day too: Date.parse takes 2026-02-30, Postgres refuses it.
 */
const when = z
  .string()
  .trim()
  .refine((text) => {
    const day = new Date(`${text.slice(0, 10)}T00:00Z`);
    return (
      instant.test(text) && text >= "1970" && day.getTime() >= 0 && day.toISOString().startsWith(text.slice(0, 10))
    );
  }, DATETIME_FORMAT);

export const UNKNOWN_ZONE = "Unknown time zone: use an IANA name (Europe/Berlin).";

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
  }, UNKNOWN_ZONE);

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
