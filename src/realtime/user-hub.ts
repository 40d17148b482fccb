import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import type { Bindings } from "../config";
import {
  ACCESS_REVOKED,
  eventMessage,
  type HubEvent,
  hubConnect,
  hubEventSchema,
  type Listeners,
  listenersSchema,
  MAX_CLIENT_MESSAGE,
  RETAINED_EVENTS,
  type StaffNotice,
  staffNoticeSchema,
  type WsConnectionEstablished,
  type WsError,
  type WsReplayTruncated,
} from "./events";

const encoder = new TextEncoder();

type WsMessage<S extends z.ZodType> = z.infer<S>;

/** Who opened a socket, kept on the socket itself (it survives hibernation). */
interface Subscriber {
  audience: "user" | "staff";
  userId?: number;
  family?: string;
}

/**
 * One object per user (and one for the staff feed): holds that audience's WebSockets with the
 * Hibernation API, numbers events with a per-hub `seq`, and keeps recent ones for replay. Every
 * delivery names who may still listen; a socket whose user or session lost the right is closed
 * (4403) before the event is sent, and `revoke` closes a logged-out session's sockets at once.
 */
export class UserHub extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // Keyed by outbox id *and* its time: a database that was reset reuses ids, not timestamps.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS hub_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      event_key TEXT NOT NULL UNIQUE,
      body TEXT NOT NULL
    )`);
    // Answered by the runtime itself, so a ping never wakes a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Upgrades a request the Worker already authenticated; the Worker sets the X-Hub-* headers. */
  async fetch(request: Request): Promise<Response> {
    const who = hubConnect(request.headers);
    if (!who) return new Response("bad hub request", { status: 400 });
    if (this.ctx.getWebSockets().length >= who.maxSockets) {
      return Response.json({ detail: "Too many connections for this user." }, { status: 429 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({
      audience: who.audience,
      userId: who.userId,
      family: who.family,
    } satisfies Subscriber);
    server.send(
      JSON.stringify({
        type: "connection_established",
        message: "Connected to order notifications",
      } satisfies WsMessage<typeof WsConnectionEstablished>),
    );
    if (who.since !== undefined) this.replay(server, who.since);
    const headers = who.bearer ? { "Sec-WebSocket-Protocol": "bearer" } : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /**
   * Accepts outbox events: each gets the next seq once (a retried event is ignored), is stored,
   * and is sent to every socket here. Returns the event ids now held, so the caller can mark them delivered.
   */
  async deliver(audience: "user" | "staff", input: HubEvent[], allowed: Listeners): Promise<number[]> {
    const events = z.array(hubEventSchema).parse(input);
    const sockets = this.closeUnless(listenersSchema.parse(allowed));
    for (const event of events) {
      this.store(`${event.eventId}@${event.at}`, (seq) => eventMessage(event, seq, audience), sockets);
    }
    this.trim();
    return events.map((e) => e.eventId);
  }

  /**
   * A notice for the staff feed that is not an order event (a webhook endpoint disabled): kept and
   * replayed like events, and sent once however often it is announced under the same key.
   */
  async announce(key: string, input: StaffNotice, allowed: Listeners): Promise<void> {
    const notice = staffNoticeSchema.parse(input);
    const at = new Date().toISOString();
    this.store(key, (seq) => ({ ...notice, seq, at }), this.closeUnless(listenersSchema.parse(allowed)));
    this.trim();
  }

  private trim(): void {
    this.sql.exec("DELETE FROM hub_events WHERE seq <= (SELECT max(seq) FROM hub_events) - ?", RETAINED_EVENTS);
  }

  /** Gives a message not yet held under `key` the next seq, keeps it for replay, and sends it. */
  private store(key: string, render: (seq: number) => object, sockets: WebSocket[]): void {
    if (this.sql.exec("SELECT 1 FROM hub_events WHERE event_key = ?", key).toArray().length) return;
    const { seq } = this.sql
      .exec<{ seq: number }>("INSERT INTO hub_events (event_key, body) VALUES (?, '') RETURNING seq", key)
      .one();
    const body = JSON.stringify(render(seq));
    this.sql.exec("UPDATE hub_events SET body = ? WHERE seq = ?", body, seq);
    for (const ws of sockets) {
      try {
        ws.send(body);
      } catch {
        // A socket closing right now; its client replays with ?since= on reconnect.
      }
    }
  }

  /** Closes the sockets of these sessions (a logout); returns how many were closed. */
  async revoke(families: string[]): Promise<number> {
    const ended = new Set(z.array(z.string()).parse(families));
    let closed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as Subscriber | null;
      if (who?.family && ended.has(who.family)) {
        closeRevoked(ws);
        closed++;
      }
    }
    return closed;
  }

  /** Closes every socket whose user or session is not among the listeners; returns the rest. */
  private closeUnless(allowed: Listeners): WebSocket[] {
    const users = new Set(allowed.users);
    const sessions = new Set(allowed.sessions);
    return this.ctx.getWebSockets().filter((ws) => {
      const who = ws.deserializeAttachment() as Subscriber | null;
      // A socket from before subscribers were recorded has no user to check: it must reconnect.
      const ok =
        who?.userId !== undefined && users.has(who.userId) && (who.family === undefined || sessions.has(who.family));
      if (!ok) closeRevoked(ws);
      return ok;
    });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // "ping" never gets here (auto-response); anything else is answered, never fatal to others.
    // Bytes on the wire: a string's length counts UTF-16 units, up to 3x fewer than its UTF-8 bytes.
    const size = typeof message === "string" ? encoder.encode(message).byteLength : message.byteLength;
    if (size > MAX_CLIENT_MESSAGE) {
      ws.close(1009, "Message too big");
      return;
    }
    const reply = {
      type: "error" as const,
      message: `Unknown message; send "ping" or nothing.`,
      received: typeof message === "string" ? message.slice(0, 100) : "binary",
    };
    ws.send(JSON.stringify(reply satisfies WsMessage<typeof WsError>));
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
  }

  private replay(ws: WebSocket, since: number): void {
    const oldest = this.sql.exec<{ seq: number | null }>("SELECT min(seq) AS seq FROM hub_events").one().seq;
    if (oldest !== null && since < oldest - 1) {
      ws.send(
        JSON.stringify({
          type: "replay_truncated",
          oldest_seq: oldest,
          message: `Events before seq ${oldest} are no longer kept`,
        } satisfies WsMessage<typeof WsReplayTruncated>),
      );
    }
    for (const row of this.sql.exec<{ body: string }>(
      "SELECT body FROM hub_events WHERE seq > ? ORDER BY seq",
      since,
    )) {
      ws.send(row.body);
    }
  }
}

function closeRevoked(ws: WebSocket): void {
  try {
    ws.close(ACCESS_REVOKED, "access revoked");
  } catch {
    // Already closing.
  }
}
