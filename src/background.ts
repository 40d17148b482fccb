// What each entry (src/index.ts on Workers, src/deno.ts on Deno) runs besides requests.
import { type Bindings, readConfig } from "./config";
import { deliverEvents } from "./realtime/deliver";
import { consumeDeadWebhooks, consumeWebhooks } from "./webhooks/consumer";
import { flushWebhooks } from "./webhooks/fanout";

/** The minute sweep: outbox events whose first delivery did not happen, and webhooks overdue in the queue. */
export function sweep(env: Bindings): Promise<unknown>[] {
  const config = readConfig(env);
  return [deliverEvents(env, config), flushWebhooks(env, config, { overdue: true })];
}

/** A queue's batch: webhook deliveries (README "Webhooks"), or those the queue gave up on. */
export function consumeQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  return batch.queue.endsWith("-dead") ? consumeDeadWebhooks(batch, env) : consumeWebhooks(batch, env);
}
