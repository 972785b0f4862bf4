// A byte-exact SMTP client for tests that must send what real clients never would (smuggling,
// injection, pipelining in one packet, PROXY headers): writes raw bytes, reads whole replies.
import net from 'node:net';
import tls from 'node:tls';

export interface RawReply {
  readonly code: number;
  readonly text: string;
}

export class RawSmtpClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  static async connect(port: number, options: { readonly tls?: boolean; readonly preamble?: Buffer } = {}): Promise<RawSmtpClient> {
    const socket = options.tls
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    if (options.preamble) socket.write(options.preamble);
    return new RawSmtpClient(socket);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  get closed(): boolean {
    return this.ended;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next complete reply (multi-line joined with \n); rejects if the server hangs up first. */
  async reply(timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /^(?:\d{3}-[^\n]*\n)*(\d{3}) [^\n]*\n/u.exec(this.buffer);
      if (match) {
        const text = match[0];
        this.buffer = this.buffer.slice(text.length);
        return { code: Number(match[1]), text: text.replace(/\r/gu, '').trimEnd() };
      }
      if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms; unread: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a line and returns its reply. */
  async command(line: string): Promise<RawReply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** STARTTLS handshake on the existing connection (after the 220 reply). */
  async upgrade(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
