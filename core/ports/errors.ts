// Typed errors at the port boundary: a closed set of codes that each protocol maps to its replies in
// exactly one table (SMTP reply codes, IMAP response codes, POP3 -ERR codes). Anything else that an
// adapter throws is unexpected and becomes a temporary failure (451 4.3.0, NO [SERVERBUG], -ERR [SYS/TEMP]).

export type StorageErrorCode =
  | 'not-found' //          the named domain, user, mailbox, message or blob does not exist
  | 'already-exists' //     create of something that exists (mailbox name, user, alias, domain)
  | 'conflict' //           a conditional write lost a race or a precondition (e.g. UNCHANGEDSINCE) failed
  | 'quota-exceeded' //     the user's quota would be exceeded
  | 'invalid' //            the request is malformed (bad name, bad range); a caller bug or bad client input
  | 'unavailable'; //       the backend is temporarily unreachable or throttled; retry later

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
