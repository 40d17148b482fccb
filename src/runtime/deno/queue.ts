// Cloudflare Queues' part of the webhooks (wrangler.toml's queues) on Deno KV's queue: the same
// producer binding (`send`, `sendBatch`) and the same consumer calls (`MessageBatch`), with the
// consumer's settings: batches of up to 50, a retry's own delay, and after 30 failed runs of
// the consumer the dead-letter handler.
import { log } from "../../lib/log";

interface Envelope {
  queue: string;
  body: unknown;
  id: string;
  attempts: number;
  timestamp: number;
}

const MAX_BATCH = 50;
/** wrangler.toml's max_batch_timeout for the main queue, in milliseconds. */
const BATCH_WAIT_MS = 1000;
const MAX_RETRIES = 30;
const RETRY_DELAY_S = 5;

export type Consumer = (batch: MessageBatch<unknown>) => Promise<void>;

const isEnvelope = (v: unknown): v is Envelope =>
  typeof v === "object" && v !== null && typeof (v as Envelope).queue === "string" && "body" in v;

/** The producer binding for `queue`. */
export function kvQueue(kv: Deno.Kv, queue: string): Queue<unknown> {
  const put = (body: unknown, delaySeconds = 0, attempts = 1) =>
    kv.enqueue({ queue, body, id: crypto.randomUUID(), attempts, timestamp: Date.now() } satisfies Envelope, {
      delay: delaySeconds * 1000,
    });
  return {
    async send(body: unknown, options?: QueueSendOptions) {
      await put(body, options?.delaySeconds);
    },
    async sendBatch(messages: Iterable<MessageSendRequest<unknown>>, options?: QueueSendBatchOptions) {
      await Promise.all([...messages].map((m) => put(m.body, m.delaySeconds ?? options?.delaySeconds)));
    },
    metrics: undefined as never,
  } as unknown as Queue<unknown>;
}

/**
 * Listens on the KV queue and hands each queue's batches to `consume`; a message retried (or in a
 * batch whose consumer threw) goes back with its delay, and one that failed `MAX_RETRIES` times
 * to `<queue>-dead`. Returns a function that waits for the batches in flight.
 */
export function listen(kv: Deno.Kv, consume: Consumer): () => Promise<void> {
  const waiting = new Map<
    string,
    { envelopes: Envelope[]; timer: ReturnType<typeof setTimeout>; done: PromiseWithResolvers<void> }
  >();
  const running = new Set<Promise<void>>();

  const redo = (e: Envelope, delaySeconds: number) => {
    const queue = e.attempts >= MAX_RETRIES && !e.queue.endsWith("-dead") ? `${e.queue}-dead` : e.queue;
    const attempts = queue === e.queue ? e.attempts + 1 : 1;
    return kv.enqueue({ ...e, queue, attempts }, { delay: queue === e.queue ? delaySeconds * 1000 : 0 });
  };

  async function run(queue: string, envelopes: Envelope[]): Promise<void> {
    const verdict = new Map<string, number | null>();
    const messages = envelopes.map((e) => ({
      id: e.id,
      timestamp: new Date(e.timestamp),
      body: e.body,
      attempts: e.attempts,
      ack: () => void verdict.set(e.id, null),
      retry: (o?: { delaySeconds?: number }) => void verdict.set(e.id, o?.delaySeconds ?? RETRY_DELAY_S),
    }));
    const batch = {
      queue,
      messages,
      ackAll: () => {
        for (const m of messages) m.ack();
      },
      retryAll: (o?: { delaySeconds?: number }) => {
        for (const m of messages) m.retry(o);
      },
    } as unknown as MessageBatch<unknown>;
    try {
      await consume(batch);
    } catch (err) {
      log("warn", "queue consumer failed", { queue, error: String(err) });
      for (const e of envelopes) if (!verdict.has(e.id)) verdict.set(e.id, RETRY_DELAY_S);
    }
    // A message neither acknowledged nor retried is acknowledged, as Queues does after a run that returned.
    await Promise.all(envelopes.map((e) => (verdict.get(e.id) ?? null) !== null && redo(e, verdict.get(e.id)!)));
  }

  function flush(queue: string): void {
    const pending = waiting.get(queue);
    if (!pending) return;
    waiting.delete(queue);
    clearTimeout(pending.timer);
    const done = run(queue, pending.envelopes).finally(() => running.delete(done));
    running.add(done);
    done.then(pending.done.resolve, pending.done.reject);
  }

  // A message counts as taken once its batch ran: one this process dies holding is delivered again.
  kv.listenQueue((value: unknown) => {
    if (!isEnvelope(value)) return;
    const queue = value.queue;
    const pending = waiting.get(queue) ?? {
      envelopes: [],
      timer: setTimeout(() => flush(queue), BATCH_WAIT_MS),
      done: Promise.withResolvers<void>(),
    };
    waiting.set(queue, pending);
    pending.envelopes.push(value);
    const { promise } = pending.done;
    if (pending.envelopes.length >= MAX_BATCH) flush(queue);
    return promise;
  });

  return async () => {
    for (const queue of [...waiting.keys()]) flush(queue);
    await Promise.all(running);
  };
}
