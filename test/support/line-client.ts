// A bare line client over a real socket for protocol tests that need exact bytes on the wire
// (pipelining, smuggling, STARTTLS/STLS injection, PROXY headers, limits): writes raw bytes, reads
// CRLF lines and dot-terminated bodies, never interprets more. POP3 tests use it as is; SMTP tests
// through test/e2e/smtp/support/raw-client.ts, which groups lines into replies.
import net from 'node:net';
import tls from 'node:tls';

export class LineClient {
  /** Received bytes not yet taken: store[start, end). Grows by doubling so large bodies stay O(n). */
  private store = Buffer.alloc(64 * 1024);
  private start = 0;
  private end = 0;
  /** How far the current search has looked without a match, so it never rescans. */
  private scanned = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  /** `firstBytes` (e.g. a PROXY header) go out in plaintext before anything else, TLS included. */
  static async connect(port: number, options: { implicitTls?: boolean; firstBytes?: Buffer } = {}): Promise<LineClient> {
    const tcp = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      tcp.once('connect', () => resolve());
      tcp.once('error', reject);
    });
    if (options.firstBytes) tcp.write(options.firstBytes);
    if (!options.implicitTls) return new LineClient(tcp);
    const secure = tls.connect({ socket: tcp, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    return new LineClient(secure);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.append(chunk);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private get buffered(): Buffer {
    return this.store.subarray(this.start, this.end);
  }

  private append(chunk: Buffer): void {
    if (this.end + chunk.length > this.store.length) {
      const live = this.buffered;
      const grown = Buffer.alloc(Math.max(this.store.length, (live.length + chunk.length) * 2));
      live.copy(grown);
      this.store = grown;
      this.start = 0;
      this.end = live.length;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /**
   * Waits until `find` locates an end at or after `from` in the buffered bytes, then returns and
   * consumes them; rejects when the server closes first or `timeoutMs` passes.
   */
  private async take(find: (bytes: Buffer, from: number) => number, overlapBytes: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const bytes = this.buffered;
      const end = find(bytes, Math.max(0, this.scanned - overlapBytes));
      if (end !== -1) {
        const taken = Buffer.from(bytes.subarray(0, end));
        this.start += end;
        this.scanned = 0;
        return taken;
      }
      this.scanned = bytes.length;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(bytes.toString('latin1'))}`);
      if (Date.now() >= deadline) throw new Error(`nothing within ${timeoutMs} ms; unread: ${JSON.stringify(bytes.toString('latin1'))}`);
      await this.wait(deadline);
    }
  }

  /** Until new bytes, a close, or the deadline. */
  private wait(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** One response line without its CRLF, as bytes (SMTPUTF8 replies are UTF-8). */
  async lineBytes(timeoutMs?: number): Promise<Buffer> {
    const taken = await this.take(
      (bytes, from) => {
        const end = bytes.indexOf('\r\n', from);
        return end === -1 ? -1 : end + 2;
      },
      1,
      timeoutMs,
    );
    return taken.subarray(0, -2);
  }

  /** One response line without its CRLF. */
  async line(timeoutMs?: number): Promise<string> {
    return (await this.lineBytes(timeoutMs)).toString('latin1');
  }

  /** A multi-line body as sent, dot-stuffing included, up to and including the ".\r\n" terminator. */
  async multiline(): Promise<Buffer> {
    return this.take((bytes, from) => {
      if (bytes.subarray(0, 3).equals(Buffer.from('.\r\n'))) return 3;
      const end = bytes.indexOf('\r\n.\r\n', from);
      return end === -1 ? -1 : end + 5;
    }, 4);
  }

  async command(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.line();
  }

  /** Upgrades to TLS in place after the server's STLS +OK. */
  async startTls(): Promise<void> {
    this.socket.removeAllListeners('data'); // from now on the raw bytes are TLS records
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  /** Resolves once the server has closed the connection; rejects after `timeoutMs`. */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() >= deadline) throw new Error('the server did not close the connection');
      await this.wait(deadline);
    }
  }

  get remaining(): string {
    return this.buffered.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}
