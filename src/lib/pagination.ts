import * as z from "zod";
import { notFound } from "./errors";

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;
/** Pages beyond this are past the end of any real list; checking early keeps OFFSET in range. */
const MAX_PAGE = 10_000_000;

/** A non-negative integer in a query string, with DRF's messages. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\s*\d{1,12}\s*$/, "A valid integer is required.")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `page` and `page_size` for a zod query object; `page=0` or `page_size=10000` is a 400 naming the parameter. */
export const pageParams = {
  page: z
    .string()
    .regex(/^\s*\d+\s*$/, "A valid integer is required.")
    .transform(Number)
    .pipe(z.number().min(1))
    .default(1)
    .meta({ description: "1-based page number (default 1); a page past the end is 404 `Invalid page.`" }),
  page_size: queryInt(1, MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: `Results per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` }),
};

export interface PageRequest {
  page: number;
  page_size: number;
}

/** Rows to skip; a page number no list can reach is `Invalid page.` before any query runs. */
export function pageOffset({ page, page_size }: PageRequest): number {
  if (page > MAX_PAGE) throw notFound("Invalid page.");
  return (page - 1) * page_size;
}

const pageUrl = (url: string, page: number): string => {
  const u = new URL(url);
  // DRF drops `page` for the first page rather than writing page=1.
  if (page === 1) u.searchParams.delete("page");
  else u.searchParams.set("page", String(page));
  return u.toString();
};

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * DRF's page body; `url` is the request URL, so links are absolute and keep the other
 * parameters. An empty page other than the first is 404 `Invalid page.` as in DRF.
 */
export function toPage<T>(url: string, { page, page_size }: PageRequest, count: number, results: T[]): Page<T> {
  const pages = Math.max(1, Math.ceil(count / page_size));
  if (page > pages) throw notFound("Invalid page.");
  return {
    count,
    next: page < pages ? pageUrl(url, page + 1) : null,
    previous: page > 1 ? pageUrl(url, page - 1) : null,
    results,
  };
}

/** `toPage`, for results already written as JSON text (a cached page): the body as text, nothing re-serialised. */
export function toPageText(url: string, page: PageRequest, count: number, resultsJson: string): string {
  const { next, previous } = toPage(url, page, count, []);
  return `{"count":${count},"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)},"results":${resultsJson}}`;
}
