/** What the cap needs of a connection: a net.Socket in production, a stand-in in tests. */
export interface Connection {
  destroy(): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * At most `cap` connections open at once, where a new connection always gets in. At the cap
 * the least recently served connection that has no response in progress is closed to make
 * room: a client holding slots with half-sent requests or idle keep-alives loses them to
 * the newcomer, a response being written is left to finish. Only when every slot is writing
 * a response does the oldest of those go.
 *
 * Why not Node's `server.maxConnections`: it refuses the NEW connection, so 64 clients that
 * send half a header make the endpoint deaf (/healthz included) until they leave. Here such
 * a client must open `cap` connections within one round trip of a scraper's to cut it off,
 * and even then the scrape fails at once instead of hanging.
 */
export class ConnectionCap {
  /** Oldest first; a connection moves to the end each time it finishes a response. */
  private readonly open = new Map<Connection, { responding: number }>();

  constructor(readonly cap: number) {}

  /** A connection just accepted. */
  admit(connection: Connection): void {
    if (this.open.size >= this.cap) this.evict();
    this.open.set(connection, { responding: 0 });
    connection.once('close', () => this.open.delete(connection));
  }

  /** A request on `connection` is being answered (until `done`). */
  responding(connection: Connection): void {
    const state = this.open.get(connection);
    if (state) state.responding++;
  }

  /** Its response ended (sent, or the connection went): the connection is idle again. */
  done(connection: Connection): void {
    const state = this.open.get(connection);
    if (!state) return;
    state.responding = Math.max(0, state.responding - 1);
    // Least recently served first: an idle keep-alive of a scraper outlives stalled strangers.
    this.open.delete(connection);
    this.open.set(connection, state);
  }

  /** How many connections are open (tests). */
  get size(): number {
    return this.open.size;
  }

  private evict(): void {
    let victim: Connection | undefined;
    for (const [connection, state] of this.open) {
      if (state.responding === 0) {
        victim = connection;
        break;
      }
    }
    victim ??= this.open.keys().next().value;
    if (victim === undefined) return;
    this.open.delete(victim);
    victim.destroy();
  }
}
