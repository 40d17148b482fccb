import { WorkerEntrypoint } from "cloudflare:workers";
import app from "./app";
import { type Bindings, readConfig } from "./config";
import { deliverEvents } from "./realtime/deliver";

export { UserHub } from "./realtime/user-hub";

export default {
  fetch: app.fetch,
  /** The Cron Trigger's sweep: delivers outbox events whose first delivery did not happen. */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(deliverEvents(env, readConfig(env)));
  },
} satisfies ExportedHandler<Bindings>;

/**
 * The same sweep for a runtime without Cron Triggers (`npm start`'s bare workerd calls it every
 * minute). An entrypoint is reachable only through a service binding its owner configures.
 */
export class Sweep extends WorkerEntrypoint<Bindings> {
  async run(): Promise<number> {
    return deliverEvents(this.env, readConfig(this.env));
  }
}
