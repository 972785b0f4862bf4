// `ses` egress, the AWS default (design brief §8: outbound port 25 is blocked): SESv2 SendEmail with
// the raw signed message. SES takes the whole message in one request (up to 40 MB), so this is the
// one place a message is held in memory; SES accepts or refuses it for all recipients at once.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sameResultForAll, type EgressTransport, type OutboundMessage, type RecipientResult } from '../transport.js';

export interface SesTransportOptions {
  readonly region: string;
  /** A local stand-in in tests. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly configurationSetName?: string;
}

/** SES errors that will not get better by retrying the same message. */
const PERMANENT_ERRORS = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException', 'NotFoundException']);

async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export class SesTransport implements EgressTransport {
  readonly mode = 'ses';
  private readonly client: SESv2Client;
  private readonly remoteMta: string;

  constructor(private readonly options: SesTransportOptions) {
    this.client = new SESv2Client({ region: options.region, endpoint: options.endpoint, credentials: options.credentials, maxAttempts: 2 });
    this.remoteMta = `email.${options.region}.amazonaws.com`;
  }

  async send(message: OutboundMessage): Promise<RecipientResult[]> {
    if (message.requireTls) {
      // RFC 8689 §4.2.1 wants the next hop to promise REQUIRETLS all the way. The SES API has no
      // such promise per message (a configuration set's TlsPolicy REQUIRE neither authenticates the
      // MX nor passes the requirement on), so such a message is bounced, never sent weaker.
      return sameResultForAll(message.recipients, {
        outcome: 'failed',
        status: '5.7.30',
        reply: '550 5.7.30 REQUIRETLS support required: the SES egress cannot guarantee it; send without REQUIRETLS or ask your administrator',
        remoteMta: this.remoteMta,
      });
    }
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: message.mailFrom === '' ? undefined : message.mailFrom,
          // With raw content, Destination is the envelope: Bcc recipients are not in the header.
          Destination: { ToAddresses: [...message.recipients] },
          Content: { Raw: { Data: await bytesOf(message.content()) } },
          ConfigurationSetName: this.options.configurationSetName,
        }),
      );
      return sameResultForAll(message.recipients, {
        outcome: 'delivered',
        status: '2.0.0',
        reply: `250 2.0.0 Ok ${result.MessageId ?? ''}`.trim(),
        remoteMta: this.remoteMta,
      });
    } catch (error) {
      const name = (error as Error).name;
      const text = (error as Error).message.replace(/\s+/g, ' ');
      if (PERMANENT_ERRORS.has(name)) {
        return sameResultForAll(message.recipients, {
          outcome: 'failed',
          status: '5.7.1',
          reply: `554 5.7.1 SES ${name}: ${text}`,
          remoteMta: this.remoteMta,
        });
      }
      // Throttling, sending paused, the service or the network down: try again later.
      return sameResultForAll(message.recipients, {
        outcome: 'deferred',
        status: '4.4.1',
        reply: `451 4.4.1 SES ${name}: ${text}`,
        remoteMta: this.remoteMta,
      });
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
