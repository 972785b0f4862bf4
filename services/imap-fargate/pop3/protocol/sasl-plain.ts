// SASL PLAIN message (RFC 4616 §2): base64 of [authzid] NUL authcid NUL passwd. Pure.

export interface PlainCredentials {
  readonly authorizationId: string;
  readonly username: string;
  readonly password: string;
}

/** RFC 4616 §2: each of the three fields is at most 255 octets of UTF-8. */
const MAX_FIELD_BYTES = 255;

/** Null when the text is not valid base64 or not a well-formed PLAIN message. */
export function decodeSaslPlain(base64: string): PlainCredentials | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return null;
  const fields = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (fields.length !== 3) return null;
  const [authorizationId, username, password] = fields as [string, string, string];
  if (username === '' || password === '') return null;
  if (fields.some((field) => Buffer.byteLength(field) > MAX_FIELD_BYTES)) return null;
  return { authorizationId, username, password };
}
