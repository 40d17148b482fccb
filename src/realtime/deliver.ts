import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Bindings, Config } from "../config";
import { connect, type Db } from "../db/client";
import { orderEvents, users } from "../db/schema";
import { log } from "../lib/log";
import { claimQuery, enqueue, flushWebhooks, SEND_BATCH } from "../webhooks/fanout";
import { type HubEvent, type Listeners, type StaffNotice, staffHubName, userHubName } from "./events";
import { ownerListeners, staffListeners } from "./listeners";

const SWEEP_BATCH = 500;

/** Outbox events and, as the database saw them, the hubs they go to and who may hear them there. */
export interface Outbox {
  events: HubEvent[];
  /** Per event owner: their hub key and their hub's listeners. */
  owners: Map<number, { hubKey: string; listeners: Listeners }>;
  staff: Listeners;
}

const hub = (env: Bindings, name: string) => env.USER_HUB.get(env.USER_HUB.idFromName(name));

/** Hands events to the staff hub and to each owner's hub; returns the ids every hub they go to accepted. */
async function handToHubs(env: Bindings, config: Config, outbox: Outbox, requestId: string): Promise<number[]> {
  const { events } = outbox;
  const byUser = [...Map.groupBy(events, (e) => e.userId)];
  const results = await Promise.allSettled([
    hub(env, staffHubName(config.DATABASE_TAG)).deliver("staff", [...events], outbox.staff),
    ...byUser.map(([userId, list]) => {
      const owner = outbox.owners.get(userId);
      if (!owner) return Promise.reject(new Error(`no hub known for user ${userId}`));
      return hub(env, userHubName(owner.hubKey)).deliver("user", list, owner.listeners);
    }),
  ]);
  const failed = new Set<number>();
  results.forEach((result, i) => {
    if (result.status === "fulfilled") return;
    const list = i === 0 ? events : byUser[i - 1]![1];
    for (const e of list) failed.add(e.eventId);
    log("warn", "event delivery failed, will retry", { requestId, error: String(result.reason), events: list.length });
  });
  return events.map((e) => e.eventId).filter((id) => !failed.has(id));
}

/** Counts an attempt for each event and marks the delivered ones. */
const markDelivered = (db: Db, events: readonly HubEvent[], delivered: number[]) =>
  db
    .update(orderEvents)
    .set({
      attempts: sql`${orderEvents.attempts} + 1`,
      deliveredAt: sql`CASE WHEN ${orderEvents.id} = ANY(${sql.param(delivered)}::bigint[]) THEN now() END`,
    })
    .where(
      inArray(
        orderEvents.id,
        events.map((e) => e.eventId),
      ),
    );

/**
 * Hands undelivered outbox events to their user's hub and to the staff hub, then marks them
 * delivered. With `ids` it delivers those; without, it sweeps every undelivered event (the Cron
 * Trigger). Hubs ignore events they already hold, so overlapping runs and retries never
 * duplicate a notification.
 */
export async function deliverEvents(
  env: Bindings,
  config: Config,
  ids?: readonly number[],
  // A sweep has no request: its own id ties its log lines together.
  requestId = `sweep-${crypto.randomUUID()}`,
): Promise<number> {
  const { db } = connect(config);
  const ttl = config.REFRESH_TOKEN_TTL;
  // One round trip: the events and the staff feed's listeners.
  const [rows, staffRows] = await db.batch([
    db
      .select({
        event: orderEvents,
        hubKey: users.hubKey,
        listeners: sql<Listeners>`${ownerListeners(sql`${orderEvents.userId}`, ttl)}`,
      })
      .from(orderEvents)
      .innerJoin(users, eq(users.id, orderEvents.userId))
      .where(and(isNull(orderEvents.deliveredAt), ids ? inArray(orderEvents.id, [...ids]) : undefined))
      // Often-failed events go last, so a hub that stays broken cannot hold back everyone else's.
      .orderBy(asc(orderEvents.attempts), asc(orderEvents.id))
      .limit(SWEEP_BATCH),
    db.execute<{ staff: Listeners }>(sql`SELECT ${staffListeners(ttl)} AS staff`),
  ]);
  if (rows.length === 0) return 0;
  const outbox: Outbox = {
    events: rows.map(({ event: r }) => ({
      eventId: r.id,
      type: r.type,
      orderId: r.orderId,
      userId: r.userId,
      status: r.status,
      at: r.createdAt.toISOString(),
    })),
    owners: new Map(rows.map((r) => [r.event.userId, { hubKey: r.hubKey, listeners: r.listeners }])),
    staff: staffRows.rows[0]!.staff,
  };
  const delivered = await handToHubs(env, config, outbox, requestId);
  await markDelivered(db, outbox.events, delivered);
  return delivered.length;
}

/**
 * After the hubs: marks the events delivered and, in the same round trip, claims the webhook
 * deliveries the commit's triggers wrote (migration 0009) for the queue.
 */
async function settle(
  env: Bindings,
  config: Config,
  events: readonly HubEvent[],
  delivered: number[],
  requestId: string,
) {
  const { db } = connect(config);
  if (!env.WEBHOOKS) return void (await markDelivered(db, events, delivered));
  const [, claimed] = await db.batch([markDelivered(db, events, delivered), claimQuery(db)]);
  await enqueue(env.WEBHOOKS, claimed.rows, requestId);
  if (claimed.rows.length === SEND_BATCH) await flushWebhooks(env, config, { requestId });
}

/**
 * Right after a commit: the writer already knows its outbox rows and their listeners, so they
 * go to the hubs first and are marked delivered afterwards; nothing is read back before the
 * sockets hear of them. If marking fails, the sweep delivers them again and the hubs ignore what they hold.
 */
export async function deliverCommittedEvents(
  env: Bindings,
  config: Config,
  outbox: Outbox,
  requestId: string,
): Promise<number> {
  const delivered = await handToHubs(env, config, outbox, requestId);
  await settle(env, config, outbox.events, delivered, requestId);
  return delivered.length;
}

/** Tells the staff feed something that is not an order event; the hub sends a key only once. */
export async function announceToStaff(
  env: Bindings,
  config: Config,
  key: string,
  notice: StaffNotice,
  staff: Listeners,
): Promise<void> {
  await hub(env, staffHubName(config.DATABASE_TAG)).announce(key, notice, staff);
}

/** Closes the sockets of an ended session on the user's hub and, for staff, on the staff feed. */
export async function closeSession(
  env: Bindings,
  config: Config,
  user: { hubKey: string; isStaff: boolean },
  family: string,
): Promise<number> {
  const names = [userHubName(user.hubKey), ...(user.isStaff ? [staffHubName(config.DATABASE_TAG)] : [])];
  const closed = await Promise.all(names.map((name) => hub(env, name).revoke([family])));
  return closed.reduce((a, b) => a + b, 0);
}
