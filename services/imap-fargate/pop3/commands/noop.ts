// NOOP (RFC 1939 §5): keeps the connection alive; the maildrop snapshot does not change.
import { formatOk } from '../protocol/responses.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const noopCommand: Pop3CommandHandler<'NOOP'> = {
  allowedStates: ['transaction'],
  run: () => lines(formatOk('')),
};
