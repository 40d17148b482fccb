// Frames the client → server half of a Postgres connection (protocol 3.0) so the local proxy
// can count what a client asks for. Only message boundaries are read, never their contents.

/** Startup-phase request codes that keep the connection in the untyped startup phase. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** What one client connection sent, by message type. */
export interface PgClientCounts {
  /** Startup messages (protocol version or CancelRequest); SSL/GSS probes are not counted. */
  startups: number;
  /** Simple-protocol `Query` ('Q'): one statement string, one server round trip. */
  queries: number;
  /** Extended-protocol `Sync` ('S'): ends a Parse/Bind/Execute batch, one server round trip. */
  syncs: number;
  /** Every framed message, startup included. */
  messages: number;
}

export const emptyCounts = (): PgClientCounts => ({ startups: 0, queries: 0, syncs: 0, messages: 0 });

/**
 * Feeds on the client's bytes in any chunking and counts whole messages. A client that waits for
 * ReadyForQuery between requests (pg, the Neon driver) makes one round trip per Query or Sync.
 * Assumes no TLS inside the stream (the local proxy carries plaintext).
 */
export class PgClientScanner {
  readonly counts: PgClientCounts = emptyCounts();
  private startup = true;
  private header: number[] = [];
  private skip = 0;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]!);
      if (this.startup && this.header.length === 8) {
        // Untyped: int32 length (itself included), int32 code.
        const length = readInt32(this.header, 0);
        const code = readInt32(this.header, 4);
        this.counts.messages++;
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) {
          this.counts.startups++;
          this.startup = false;
        }
        this.skip = Math.max(0, length - 8);
        this.header = [];
      } else if (!this.startup && this.header.length === 5) {
        // Typed: one type byte, int32 length (itself included, type byte not).
        const type = String.fromCharCode(this.header[0]!);
        this.counts.messages++;
        if (type === "Q") this.counts.queries++;
        else if (type === "S") this.counts.syncs++;
        this.skip = Math.max(0, readInt32(this.header, 1) - 4);
        this.header = [];
      }
    }
  }
}

const readInt32 = (bytes: number[], at: number) =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
