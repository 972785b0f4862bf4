// RCPT TO (RFC 5321 §4.1.1.3): each recipient is accepted only by a rcpt-phase check (hosted
// recipient, or relay for an authenticated user); nobody accepting means relay denied (brief §4.2).
import { normalizeAddress } from '../../../../core/mail/address.js';
import { runChecks } from '../../policy/verdict.js';
import { replies } from '../replies.js';
import type { CommandHandler } from '../command.js';

export const rcpt: CommandHandler<'RCPT'> = {
  allowedIn: ['mail', 'rcpt'],
  async run(command, session) {
    const transaction = session.transaction;
    if (transaction === null) return { reply: replies.badSequence('send MAIL FROM first') };
    const { path, params } = command;
    if (path.hasNonAscii && !transaction.params.smtpUtf8) return { reply: replies.nonAsciiNeedsSmtpUtf8() };
    const recipient = normalizeAddress(path.address);
    if (recipient === null) return { reply: replies.badRecipientSyntax(`<${path.address}>`) };
    if (transaction.recipients.some((r) => r.address === recipient)) return { reply: replies.recipientOk() };
    const max = session.deps.limits.maxRecipients;
    if (transaction.recipients.length >= max) return { reply: replies.tooManyRecipients(max) };

    const verdict = await runChecks(session.deps.policy.rcpt, {
      clientIp: session.connection.clientIp,
      listener: session.connection.listener,
      user: session.user,
      sender: transaction.sender,
      recipient,
    });
    if (verdict.kind !== 'accept') {
      const reply = verdict.kind === 'continue' ? replies.relayDenied(recipient) : verdict.reply;
      session.log.info('recipient rejected', { recipient, code: reply.code, enhanced: reply.enhanced });
      return { reply };
    }
    transaction.recipients.push({ address: recipient, route: verdict.value, notify: params.notify, orcpt: params.orcpt });
    session.state = 'rcpt';
    return { reply: replies.recipientOk() };
  },
};
