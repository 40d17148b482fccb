import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { TestStack } from "./tests/support/stack.ts";

/** E2e suites of a launcher of their own (`npm start`, `wrangler dev`), not of the harness's runtime. */
const LAUNCHER_SUITES = [
  "tests/e2e/start.test.ts",
  "tests/e2e/plain-wrangler-dev.test.ts",
  "tests/e2e/secrets.test.ts",
  "tests/e2e/throttle-timeout.test.ts",
];

export default defineConfig({
  test: {
    // At the root, so it runs once in plain Node (not under the workerd resolve conditions).
    globalSetup: ["tests/support/global-setup.ts"],
    projects: [
      { test: { name: "unit", include: ["tests/unit/**/*.test.ts", "tests/node/**/*.test.ts"], environment: "node" } },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: "postgres://unused@127.0.0.1:1/unused",
                JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
                NEON_SQL_ENDPOINT: inject<TestStack>("stack").sqlEndpoint,
                NEON_SQL_KEY: inject<TestStack>("stack").secret,
                LOG_REQUESTS: "false",
              },
            },
          })),
        ],
        test: { name: "worker", include: ["tests/worker/**/*.test.ts"], testTimeout: 20_000, hookTimeout: 30_000 },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          exclude: ["tests/e2e/deno-*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
          provide: { runtime: "workerd" },
        },
      },
      {
        // The same app on Deno (src/deno.ts): every suite of the harness, so both serve one API.
        test: {
          name: "e2e-deno",
          include: ["tests/e2e/**/*.test.ts"],
          exclude: LAUNCHER_SUITES,
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
          provide: { runtime: "deno" },
        },
      },
    ],
  },
});
