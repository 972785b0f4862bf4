// RETR msg (RFC 1939 §5): the whole message, streamed from the blob store.
import { streamMessage } from './retrieve.js';
import type { Pop3CommandHandler } from './types.js';

export const retrCommand: Pop3CommandHandler<'RETR'> = {
  allowedStates: ['transaction'],
  run: (context, command) => streamMessage(context, command.messageNumber, null),
};
