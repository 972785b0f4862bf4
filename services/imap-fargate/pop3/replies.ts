// Every -ERR this server sends, in one table, and the one mapping from failures (StorageError codes,
// unexpected errors) to replies. RFC 2449 §8 codes tell the client whether to ask the user again
// ([AUTH]) or wait and retry ([SYS/TEMP], [IN-USE]).
import { isStorageError } from '../../../core/ports/errors.js';
import type { Logger } from '../../../core/log/logger.js';
import { formatErr, type ResponseCode } from './protocol/responses.js';

interface ErrorReply {
  readonly code: ResponseCode | null;
  readonly text: string;
}

export const POP3_ERRORS = {
  unknownCommand: { code: null, text: 'Unknown command' },
  badArguments: { code: null, text: 'Bad arguments' },
  tooManyBadCommands: { code: null, text: 'Too many bad commands; closing the connection' },
  lineTooLong: { code: null, text: 'Command line too long' },
  wrongState: { code: null, text: 'Command not valid in this state' },
  userFirst: { code: null, text: 'Send USER first' },
  noSuchMessage: { code: null, text: 'No such message' },
  alreadyDeleted: { code: null, text: 'Message already deleted' },
  messageGone: { code: null, text: 'Message is no longer available; another session removed it' },
  // RFC 2595 §4 and RFC 5034: no cleartext passwords before TLS on the plaintext port.
  plaintextDisallowed: { code: 'AUTH', text: 'Plaintext authentication disallowed on non-secure connections; use STLS first' },
  authFailed: { code: 'AUTH', text: 'Authentication failed' },
  accountDisabled: { code: 'AUTH', text: 'Account disabled; contact your administrator' },
  authThrottled: { code: 'SYS/TEMP', text: 'Too many failed logins; try again later' },
  authCancelled: { code: null, text: 'Authentication cancelled' },
  mechanismUnsupported: { code: null, text: 'Unsupported authentication mechanism; use PLAIN' },
  badSaslResponse: { code: 'AUTH', text: 'Malformed SASL PLAIN response' },
  authorizationIdRefused: { code: 'AUTH', text: 'Logging in as another user is not allowed' },
  maildropInUse: { code: 'IN-USE', text: 'Too many sessions open on this maildrop; close one and retry' },
  tlsActive: { code: null, text: 'TLS is already active' },
  tlsUnavailable: { code: null, text: 'STLS not available' },
  tooManyConnections: { code: 'SYS/TEMP', text: 'Too many connections from your address; try again later' },
  autologout: { code: null, text: 'Autologout; idle for too long' },
  updateFailed: { code: 'SYS/TEMP', text: 'Some deleted messages not removed; they will be offered again next time' },
  temporaryFailure: { code: 'SYS/TEMP', text: 'Temporary server failure; try again later' },
} as const satisfies Record<string, ErrorReply>;

export type Pop3ErrorName = keyof typeof POP3_ERRORS;

export function errorReply(name: Pop3ErrorName, detail?: string): string {
  const { code, text } = POP3_ERRORS[name];
  return formatErr(detail === undefined ? text : `${text}: ${detail}`, code);
}

/**
 * A failure of a storage call as a reply. Missing data means another session expunged the message;
 * everything else is temporary for the client, and unexpected errors are logged in full, never shown.
 */
export function failureReply(error: unknown, logger: Logger, context: string): string {
  if (isStorageError(error, 'not-found')) return errorReply('messageGone');
  if (isStorageError(error, 'unavailable')) {
    logger.warn('storage unavailable', { context, error });
  } else {
    logger.error('unexpected failure', { context, error });
  }
  return errorReply('temporaryFailure');
}
