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
