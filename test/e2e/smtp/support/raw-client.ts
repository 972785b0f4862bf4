// A byte-exact SMTP client for tests that must send what real clients never would (smuggling,
// injection, pipelining in one packet, PROXY headers): the shared line client (test/support) with
// its lines grouped into SMTP replies (RFC 5321 §4.2.1: `ddd-` continues, `ddd ` ends a reply).
import { LineClient } from '../../../support/line-client.js';

export interface RawReply {
  readonly code: number;
  /** The reply's lines joined with \n, without CRLFs. */
  readonly text: string;
}

export class RawSmtpClient {
  private constructor(private readonly lines: LineClient) {}

  /** `tls`: implicit TLS (port 465); `preamble` (a PROXY header) goes out before anything else. */
  static async connect(port: number, options: { readonly tls?: boolean; readonly preamble?: Buffer } = {}): Promise<RawSmtpClient> {
    return new RawSmtpClient(await LineClient.connect(port, { implicitTls: options.tls, firstBytes: options.preamble }));
  }

  send(data: string | Buffer): void {
    this.lines.send(data);
  }

  /** The next complete reply; rejects if the server hangs up first or nothing comes in time. */
  async reply(timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const line = (await this.lines.lineBytes(Math.max(1, deadline - Date.now()))).toString('utf8');
      lines.push(line);
      if (/^\d{3}(?: |$)/u.test(line)) return { code: Number(line.slice(0, 3)), text: lines.join('\n').trimEnd() };
    }
  }

  /** Sends a line and returns its reply. */
  async command(line: string): Promise<RawReply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** Resolves when the server has closed the connection. */
  waitClosed(timeoutMs = 10_000): Promise<void> {
    return this.lines.closedByServer(timeoutMs);
  }

  /** STARTTLS handshake on the existing connection (after the 220 reply). */
  upgrade(): Promise<void> {
    return this.lines.startTls();
  }

  close(): void {
    this.lines.close();
  }
}
