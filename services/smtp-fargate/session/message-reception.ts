// One message on its way into the spool, across DATA or any number of BDAT chunks. Counts octets
// as they stream (the size limit is enforced before anything is stored: 552 5.3.4) and turns the
// spool's outcome into the final reply. A failed spool write keeps reading the client's content,
// so the session stays in step, and answers at the end.
import { formatReceivedHeader } from '../protocol/received-header.js';
import type { SmtpReply } from '../protocol/reply.js';
import { replies, replyForStorageError } from './replies.js';
import type { SessionData, SpoolWriter } from './types.js';

export class MessageReception {
  private receivedBytes = 0;
  private tooBig = false;
  private failure: unknown = null;
  private settled = false;

  private constructor(
    private readonly session: SessionData,
    private readonly writer: SpoolWriter,
    readonly messageId: string,
  ) {}

  static open(session: SessionData): MessageReception {
    const { deps, connection, transaction } = session;
    if (transaction === null) throw new Error('MessageReception.open without a transaction');
    const messageId = deps.newMessageId();
    const recipients = transaction.recipients;
    const client = { ip: connection.clientIp, helo: session.helo, tls: connection.tls, ...(session.user ? { authenticatedAs: session.user.address } : {}) };
    const receivedHeader = formatReceivedHeader({
      helo: session.helo,
      clientIp: connection.clientIp,
      byHostname: deps.hostname,
      esmtp: session.esmtp,
      tls: connection.tls,
      authenticated: session.user !== null,
      smtpUtf8: transaction.params.smtpUtf8,
      id: messageId,
      singleRecipient: recipients.length === 1 ? (recipients[0]?.address ?? null) : null,
      date: deps.now(),
    });
    const strip = ({ route: _route, ...recipient }: (typeof recipients)[number]) => recipient;
    const { params } = transaction;
    const writer = deps.spool.open({
      messageId,
      receivedHeader,
      envelope: {
        mailFrom: transaction.sender,
        dsnReturn: params.dsnReturn,
        dsnEnvelopeId: params.dsnEnvelopeId,
        bodyType: params.body,
        smtpUtf8: params.smtpUtf8,
        ...(params.requireTls ? { requireTls: true } : {}),
      },
      localRecipients: recipients.filter((r) => r.route === 'local').map(strip),
      remoteRecipients: recipients.filter((r) => r.route === 'remote').map(strip),
      client,
      spf: transaction.facts.spf,
      maxBytes: deps.limits.maxMessageBytes,
    });
    return new MessageReception(session, writer, messageId);
  }

  /** True once the message can no longer succeed; the caller keeps consuming and asks for the reply. */
  get doomed(): boolean {
    return this.tooBig || this.failure !== null;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.doomed) return;
    this.receivedBytes += chunk.length;
    if (this.receivedBytes > this.session.deps.limits.maxMessageBytes) {
      this.tooBig = true;
      await this.abort();
      return;
    }
    try {
      await this.writer.write(chunk);
    } catch (error) {
      this.failure = error;
      await this.abort();
    }
  }

  /** The reply that ends the message; commits only when nothing went wrong. */
  async finish(rejection: SmtpReply | null): Promise<SmtpReply> {
    const { limits } = this.session.deps;
    const log = this.session.log;
    if (this.tooBig) {
      log.info('message refused', { messageId: this.messageId, reason: 'too-big', receivedBytes: this.receivedBytes });
      return replies.messageTooBig(limits.maxMessageBytes);
    }
    if (rejection !== null || this.failure !== null) {
      await this.abort();
      if (rejection !== null) return rejection;
      log.error('spool write failed', { messageId: this.messageId, error: this.failure });
      return replyForStorageError(this.failure, limits.maxMessageBytes);
    }
    try {
      this.settled = true;
      await this.writer.commit();
    } catch (error) {
      log.error('spool commit failed', { messageId: this.messageId, error });
      return replyForStorageError(error, limits.maxMessageBytes);
    }
    log.info('message accepted', { messageId: this.messageId, sizeBytes: this.receivedBytes, recipients: this.session.transaction?.recipients.length });
    return replies.queued(this.messageId);
  }

  /** Client gone, RSET, or a refusal: nothing of the message remains. Idempotent. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      await this.writer.abort();
    } catch (error) {
      this.session.log.error('spool abort failed', { messageId: this.messageId, error });
    }
  }
}
