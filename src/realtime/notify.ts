import type { Context } from "hono";
import type { AppEnv } from "../context";
import { log } from "../lib/log";
import { deliverCommittedEvents, type Outbox } from "./deliver";

/**
 * After a commit: delivers these outbox events in the background. A failure is only logged; the
 * Cron sweep retries undelivered events, so an order change never waits on or fails by delivery.
 */
export function notifyOrderEvents(c: Context<AppEnv>, outbox: Outbox): void {
  if (outbox.events.length === 0) return;
  c.executionCtx.waitUntil(
    deliverCommittedEvents(c.env, c.var.config, outbox, c.var.requestId).catch((err: unknown) => {
      log("warn", "event delivery deferred to the sweep", { requestId: c.var.requestId, error: String(err) });
    }),
  );
}
