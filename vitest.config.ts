import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { TestStack } from "./tests/support/stack.ts";

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
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
