/** The Postgres error (SQLSTATE code, constraint) inside a driver or drizzle error's cause chain. */
export function pgError(err: unknown): { code: string; constraint?: string } | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, constraint: typeof constraint === "string" ? constraint : undefined };
    }
  }
  return undefined;
}
