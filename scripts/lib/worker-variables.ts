// Kept apart from dev-config.ts, with no imports, so that a Worker test can hold it against the
// Worker's own schema (tests/worker/config.test.ts).

/** What the Worker reads (src/config.ts), so what the launchers take from the environment for it. */
export const WORKER_VARIABLES = [
  "DATABASE_URL",
  "JWT_SECRET",
  "JWT_SECRET_PREVIOUS",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "NEON_SQL_ENDPOINT",
  "NEON_SQL_KEY",
  "REDIS_PREFIX",
  "ACCESS_TOKEN_TTL",
  "REFRESH_TOKEN_TTL",
  "LOGIN_LIMIT_PER_USERNAME",
  "LOGIN_LIMIT_PER_IP",
  "REGISTER_LIMIT_PER_IP",
  "WS_MAX_SOCKETS",
  "DB_CONNECT_TIMEOUT_MS",
  "LOG_REQUESTS",
  "APP_VERSION",
  "CORS_ORIGINS",
  "WEBHOOK_ALLOW_LOOPBACK",
  "WEBHOOK_DNS_URL",
  "WEBHOOK_DNS_KEY",
  "WEBHOOK_TIMEOUT_MS",
  "WEBHOOK_RETRY_SECONDS",
  "WEBHOOK_DISABLE_AFTER_SECONDS",
] as const;
