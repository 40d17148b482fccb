import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** One object per user: holds that user's WebSockets and their event history. */
export class UserHub extends DurableObject<Bindings> {
  async ping(): Promise<string> {
    return "pong";
  }
}
