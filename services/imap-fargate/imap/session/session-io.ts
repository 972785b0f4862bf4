// What a session needs from its connection. server.ts implements it over a socket; tests implement
// it in memory. The session never sees a socket, a timer or a TLS object.

export interface SessionIo {
  /** Queues bytes for the client (coalesced by the implementation). */
  write(data: string | Buffer): void;
  /** Streams bytes (a ranged blob read) to the client, honouring backpressure. */
  pipe(source: AsyncIterable<Uint8Array>): Promise<void>;
  /** Resolves when the client has taken what was written (backpressure for long FETCH responses). */
  drain(): Promise<void>;
  /** Starts TLS on the plaintext connection after the STARTTLS OK has been written (RFC 3501 §6.2.1). */
  startTls(): Promise<void>;
  /** Closes the connection once queued output is written. */
  close(): void;
}

export interface ConnectionInfo {
  readonly clientIp: string;
  /** True on the implicit-TLS port or after STARTTLS. */
  readonly secure: boolean;
  /** True when STARTTLS may be offered (a plaintext connection on a server with a certificate). */
  readonly startTlsAvailable: boolean;
  /** Local development only: allow LOGIN/AUTHENTICATE without TLS. */
  readonly allowPlaintextAuth: boolean;
}

/** Counts sessions per user so that one account cannot hold every connection (limit per user). */
export interface UserConnectionLimiter {
  acquire(userId: string): boolean;
  release(userId: string): void;
}
