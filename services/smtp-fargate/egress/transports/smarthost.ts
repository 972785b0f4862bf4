// `smarthost` egress: every message goes to one relay (an ISP's or a provider's submission server),
// over TLS (implicit, or STARTTLS required: credentials never cross in plaintext) with AUTH. The
// certificate must be valid for the host, so a REQUIRETLS message only needs the relay to offer REQUIRETLS.
import type { ConnectionOptions } from 'node:tls';
import type { SmarthostSettingsSource } from '../egress-settings.js';
import { deliverOverSmtp } from '../smtp-delivery.js';
import type { EgressTransport, OutboundMessage, RecipientResult } from '../transport.js';

export class SmarthostTransport implements EgressTransport {
  readonly mode = 'smarthost';

  constructor(
    /** Asked per message, so credentials rotated in the smarthost secret apply without a restart. */
    private readonly settings: SmarthostSettingsSource,
    private readonly heloName: string,
    private readonly tlsOptions?: ConnectionOptions,
  ) {}

  async send(message: OutboundMessage): Promise<RecipientResult[]> {
    const { host, port, implicitTls, user, password } = await this.settings();
    const report = await deliverOverSmtp(
      {
        address: host,
        port,
        hostname: host,
        heloName: this.heloName,
        tls: implicitTls ? 'implicit' : 'required',
        // RFC 8689 §4.2.1: the smarthost is the next hop; it must take REQUIRETLS on, or we bounce.
        requireTlsExtension: message.requireTls,
        tlsOptions: this.tlsOptions,
        auth: user !== undefined ? { user, pass: password ?? '' } : undefined,
      },
      message,
      message.recipients,
    );
    return report.results;
  }

  async close(): Promise<void> {}
}
