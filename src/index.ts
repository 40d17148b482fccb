import { WorkerEntrypoint } from "cloudflare:workers";
import app from "./app";
import { type Bindings, readConfig } from "./config";
import { deliverEvents } from "./realtime/deliver";
import { consumeDeadWebhooks, consumeWebhooks } from "./webhooks/consumer";
import { flushWebhooks } from "./webhooks/fanout";

export { UserHub } from "./realtime/user-hub";

export default {
  fetch: app.fetch,
  /** The Cron Trigger's sweep: delivers outbox events whose first delivery did not happen. */
  scheduled(_controller, env, ctx) {
    const config = readConfig(env);
    ctx.waitUntil(deliverEvents(env, config));
    ctx.waitUntil(flushWebhooks(env, config, { overdue: true }));
  },
  /** Webhook deliveries (README "Webhooks"), and those the queue gave up on. */
  async queue(batch, env) {
    if (batch.queue.endsWith("-dead")) await consumeDeadWebhooks(batch, env);
    else await consumeWebhooks(batch, env);
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
