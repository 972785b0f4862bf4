// MAIL FROM (RFC 5321 §4.1.1.2): starts a transaction once the mail-phase policy agrees
// (size, submission auth, sender ownership, message rate, SPF — see policy/).
import { normalizeAddress } from '../../../../core/mail/address.js';
import { runChecks, type MailFacts } from '../../policy/verdict.js';
import { replies } from '../replies.js';
import type { CommandHandler } from '../command.js';

export const mail: CommandHandler<'MAIL'> = {
  allowedIn: ['idle'],
  async run(command, session) {
    const { path, params } = command;
    // RFC 6531 §3.4: non-ASCII in the envelope only under SMTPUTF8.
    if (path.hasNonAscii && !params.smtpUtf8) return { reply: replies.nonAsciiNeedsSmtpUtf8() };
    // RFC 8689 §4.1: the TLS requirement is only taken on over a session that is itself TLS.
    if (params.requireTls && !session.connection.tls) return { reply: replies.requireTlsNeedsTls() };
    const sender = path.address === '' ? '' : normalizeAddress(path.address);
    if (sender === null) return { reply: replies.badSenderSyntax(`<${path.address}>`) };
    const facts: MailFacts = {};
    const verdict = await runChecks(session.deps.policy.mail, {
      clientIp: session.connection.clientIp,
      listener: session.connection.listener,
      helo: session.helo,
      tls: session.connection.tls,
      user: session.user,
      sender,
      declaredSizeBytes: params.sizeBytes,
      facts,
    });
    if (verdict.kind === 'reject' || verdict.kind === 'tempfail') {
      session.log.info('mail rejected', { sender, code: verdict.reply.code, enhanced: verdict.reply.enhanced });
      return { reply: verdict.reply };
    }
    session.transaction = { sender, params, facts, recipients: [] };
    session.state = 'mail';
    return { reply: replies.senderOk() };
  },
};
