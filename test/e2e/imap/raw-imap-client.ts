// A bare IMAP client over TLS for tests that must speak byte by byte: it writes raw bytes and waits
// for lines, so a test can stop half-way through a literal or pace synchronizing literals itself.
import tls from 'node:tls';
import { ALICE, PASSWORD } from './imap-fixture.js';

export class RawImapClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: tls.TLSSocket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      this.buffer += data;
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(tlsPort: number): Promise<RawImapClient> {
    const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false });
    const client = new RawImapClient(socket);
    await client.until(/^\* OK/mu);
    return client;
  }

  /** Resolves with everything received once `pattern` matches it, and clears it. */
  async until(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.buffer)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got ${this.buffer.slice(-300)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    const text = this.buffer;
    this.buffer = '';
    return text;
  }

  async write(data: string | Buffer): Promise<void> {
    if (!this.socket.write(data)) await new Promise((resolve) => this.socket.once('drain', resolve));
  }

  async login(address = ALICE): Promise<void> {
    await this.write(`l LOGIN ${address} "${PASSWORD}"\r\n`);
    await this.until(/^l OK/mu);
  }
}
