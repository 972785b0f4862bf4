// DKIM-signs outbound mail with the sender domain's key (RFC 6376), read from the Directory (SQLite
// locally, Secrets Manager on AWS). mailauth hashes the message as a stream; the signature is a
// header block to put in front of the unchanged message.
import { Readable } from 'node:stream';
import { dkimSign } from 'mailauth';
import type { Logger } from '../../../core/log/logger.js';
import type { Directory } from '../../../core/ports/directory.js';

/** RFC 6376 §5.4.1: the fields that matter to the reader; From is required. */
const SIGNED_HEADER_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
];

export class DkimSigner {
  constructor(
    private readonly directory: Pick<Directory, 'getDkimKey'>,
    private readonly logger: Logger,
  ) {}

  /** The DKIM-Signature field(s), CRLF-terminated, or '' when the domain has no key. */
  async signatureFor(domain: string, openMessage: () => Promise<AsyncIterable<Uint8Array>>): Promise<string> {
    const key = await this.directory.getDkimKey(domain);
    if (!key) {
      this.logger.warn('no DKIM key: sending unsigned', { domain });
      return '';
    }
    const message = await openMessage();
    const options = {
      signingDomain: key.domain,
      selector: key.selector,
      privateKey: key.privateKeyPem,
      algorithm: key.algorithm,
      headerList: SIGNED_HEADER_FIELDS,
    };
    // mailauth reads signatureData; its typings also want the single-signature fields.
    const signed = await dkimSign(Readable.from(message), { ...options, signatureData: [options] });
    if (signed.errors.length > 0)
      this.logger.warn('DKIM signing failed: sending unsigned', { domain, errors: signed.errors.map((error) => String(error)) });
    return signed.signatures;
  }
}
