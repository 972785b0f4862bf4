// DATA (RFC 5321 §4.1.1.4): 354, then dot-stuffed content until <CRLF>.<CRLF> (see protocol/data-decoder.ts).
import { replies } from '../replies.js';
import type { CommandHandler } from '../command.js';

export const data: CommandHandler<'DATA'> = {
  allowedIn: ['mail', 'rcpt'],
  async run(_command, session) {
    // RFC 2920 §3.1: with every recipient refused, DATA gets 554 rather than 503.
    if (session.state === 'mail' || session.transaction === null) return { reply: replies.noValidRecipients() };
    // RFC 3030 §3: BINARYMIME content can only travel in BDAT chunks.
    if (session.transaction.params.body === 'BINARYMIME') return { reply: replies.badSequence('BODY=BINARYMIME requires BDAT') };
    return { reply: replies.startMailInput(), next: 'data' };
  },
};
