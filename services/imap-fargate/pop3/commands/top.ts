// TOP msg n (RFC 1939 §7): the header, the blank line and the first n body lines.
import { streamMessage } from './retrieve.js';
import type { Pop3CommandHandler } from './types.js';

export const topCommand: Pop3CommandHandler<'TOP'> = {
  allowedStates: ['transaction'],
  run: (context, command) => streamMessage(context, command.messageNumber, command.lineCount),
};
