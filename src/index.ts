import { WorkerEntrypoint } from "cloudflare:workers";
import app from "./app";
import { consumeQueue, sweep } from "./background";
import { type Bindings, readConfig } from "./config";
import { deliverEvents } from "./realtime/deliver";

export { UserHub } from "./realtime/user-hub";

export default {
  fetch: app.fetch,
  /** The Cron Trigger's sweep. */
  scheduled(_controller, env, ctx) {
    for (const work of sweep(env)) ctx.waitUntil(work);
  },
  queue: consumeQueue,
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
