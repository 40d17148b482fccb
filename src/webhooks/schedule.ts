/**
 * Standard Webhooks' schedule, in seconds after each failure: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h, about a day and a quarter in all (a Queues delay is at most 12 h).
 */
export const STANDARD_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/**
 * Seconds until the retry after `attempt` (1 = the first try) failed, or null when the schedule
 * is spent. Jitter of ±20 % keeps receivers that failed together from being retried together.
 */
export function retryDelay(attempt: number, schedule: readonly number[], random = Math.random): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}
