// Notification scenarios, fed with the pending orders the buyers just placed.
import pg from "pg";
import type { Account } from "./accounts.ts";
import { inChild } from "./driver.ts";
import type { Change } from "./notify.ts";

/** The path every change takes: each step is one update_status call and one event. */
const STEPS = ["processing", "shipped", "delivered"] as const;

async function pendingOrders(databaseUrl: string, userIds: number[]): Promise<{ id: number; user_id: number }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number; user_id: number }>(
      "SELECT id, user_id FROM orders WHERE status = 'pending' AND user_id = ANY($1::int[]) ORDER BY id",
      [userIds],
    );
    return rows;
  } finally {
    await client.end();
  }
}

const stepsFor = (orderIds: number[], count: number) =>
  orderIds.flatMap((orderId) => STEPS.map((status) => ({ orderId, status }))).slice(0, count);

export interface RealtimePlan {
  notify: { owners: Account[]; changes: Change[] };
  fanout: { owner: Account; changes: Omit<Change, "owner">[] };
}

/**
 * The fan-out uses the first buyer's orders (its hub gets the many sockets); the latency runs use
 * the other buyers' orders, spread over their owners in turn, one socket per owner.
 */
export async function planRealtime(
  databaseUrl: string,
  buyers: Account[],
  changes: number,
  broadcasts: number,
): Promise<RealtimePlan> {
  const [fanOwner, ...others] = buyers;
  const orders = await pendingOrders(
    databaseUrl,
    buyers.map((b) => b.id),
  );
  const fanOrders = orders.filter((o) => o.user_id === fanOwner!.id).map((o) => o.id);
  const byOwner = new Map(others.map((b) => [b.id, orders.filter((o) => o.user_id === b.id).map((o) => o.id)]));
  // Orders taken from every owner in turn, so the changes spread over all their hubs.
  const interleaved: number[] = [];
  for (let i = 0; interleaved.length * STEPS.length < changes; i++) {
    const before = interleaved.length;
    for (const ids of byOwner.values()) if (ids[i] !== undefined) interleaved.push(ids[i]!);
    if (interleaved.length === before) break;
  }
  const ownerOf = new Map(orders.map((o) => [o.id, o.user_id]));
  const ownerIndex = new Map(others.map((b, i) => [b.id, i]));
  return {
    notify: {
      owners: others,
      changes: stepsFor(interleaved, changes).map((c) => ({ ...c, owner: ownerIndex.get(ownerOf.get(c.orderId)!)! })),
    },
    fanout: { owner: fanOwner!, changes: stepsFor(fanOrders, broadcasts) },
  };
}

export const notifyLatency = (baseUrl: string, staff: Account, plan: RealtimePlan["notify"]) =>
  inChild(
    {
      kind: "notify",
      baseUrl,
      staffToken: staff.access,
      ownerTokens: plan.owners.map((o) => o.access),
      changes: plan.changes,
    },
    180_000,
  );

export const fanout = (baseUrl: string, staff: Account, plan: RealtimePlan["fanout"], sockets: number) =>
  inChild(
    {
      kind: "fanout",
      baseUrl,
      staffToken: staff.access,
      ownerToken: plan.owner.access,
      sockets,
      changes: plan.changes,
    },
    180_000,
  );
