import { and, asc, inArray, isNull, sql } from "drizzle-orm";
import { type Db, createDb } from "../db/client";
import { orderEvents } from "../db/schema";
import type { Bindings, Config } from "../env";
import { log } from "../lib/log";
import { type HubEvent, STAFF_HUB } from "./events";

const SWEEP_BATCH = 500;

const hub = (env: Bindings, name: string) => env.USER_HUB.get(env.USER_HUB.idFromName(name));

/** Hands events to the staff hub and to each user's hub; returns the ids every hub they go to accepted. */
async function handToHubs(env: Bindings, events: readonly HubEvent[]): Promise<number[]> {
  const byUser = Map.groupBy(events, (e) => e.userId);
  const staff = hub(env, STAFF_HUB).deliver("staff", [...events]);
  const results = await Promise.allSettled([
    staff,
    ...[...byUser].map(([userId, list]) => hub(env, `user:${userId}`).deliver("user", list)),
  ]);
  const failed = new Set<number>();
  results.forEach((result, i) => {
    if (result.status === "fulfilled") return;
    const list = i === 0 ? events : [...byUser.values()][i - 1]!;
    for (const e of list) failed.add(e.eventId);
    log("warn", "event delivery failed, will retry", { error: String(result.reason), events: list.length });
  });
  return events.map((e) => e.eventId).filter((id) => !failed.has(id));
}

/** Counts an attempt for each event and marks the delivered ones. */
async function markDelivered(db: Db, events: readonly HubEvent[], delivered: number[]): Promise<void> {
  await db
    .update(orderEvents)
    .set({ attempts: sql`${orderEvents.attempts} + 1`, deliveredAt: sql`CASE WHEN ${orderEvents.id} = ANY(${sql.param(delivered)}::bigint[]) THEN now() END` })
    .where(inArray(orderEvents.id, events.map((e) => e.eventId)));
}

/**
 * Hands undelivered outbox events to their user's hub and to the staff hub, then marks them
 * delivered. With `ids` it delivers those; without, it sweeps every undelivered event (the Cron
 * Trigger). Hubs ignore events they already hold, so overlapping runs and retries never
 * duplicate a notification.
 */
export async function deliverEvents(env: Bindings, config: Config, ids?: readonly number[]): Promise<number> {
  const { db, pool } = createDb(config);
  try {
    const rows = await db
      .select()
      .from(orderEvents)
      .where(and(isNull(orderEvents.deliveredAt), ids ? inArray(orderEvents.id, [...ids]) : undefined))
      // Often-failed events go last, so a hub that stays broken cannot hold back everyone else's.
      .orderBy(asc(orderEvents.attempts), asc(orderEvents.id))
      .limit(SWEEP_BATCH);
    if (rows.length === 0) return 0;
    const events: HubEvent[] = rows.map((r) => ({
      eventId: r.id,
      type: r.type,
      orderId: r.orderId,
      userId: r.userId,
      status: r.status,
      at: r.createdAt.toISOString(),
    }));
    const delivered = await handToHubs(env, events);
    await markDelivered(db, events, delivered);
    return delivered.length;
  } finally {
    await pool.end().catch(() => {});
  }
}

/**
 * Right after a commit: the writer already knows its outbox rows, so they go to the hubs first
 * and are marked delivered afterwards; nothing is read back before the sockets hear of them.
 * If marking fails, the sweep delivers them again and the hubs ignore what they hold.
 */
export async function deliverCommittedEvents(env: Bindings, config: Config, events: readonly HubEvent[]): Promise<number> {
  const delivered = await handToHubs(env, events);
  const { db, pool } = createDb(config);
  try {
    await markDelivered(db, events, delivered);
    return delivered.length;
  } finally {
    await pool.end().catch(() => {});
  }
}
