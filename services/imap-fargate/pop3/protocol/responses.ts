// POP3 response lines (RFC 1939 §3) with RFC 2449 §8 response codes, as bytes. Pure.

/** RFC 2449 §8 and RFC 3206: the extended response codes this server sends in `-ERR [CODE] text`. */
export type ResponseCode = 'AUTH' | 'IN-USE' | 'SYS/TEMP';

/** Response text is one line: CR and LF from anywhere (e.g. a user name echoed back) become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

export function formatOk(text: string): string {
  return text === '' ? '+OK\r\n' : `+OK ${oneLine(text)}\r\n`;
}

export function formatErr(text: string, code: ResponseCode | null = null): string {
  return code === null ? `-ERR ${oneLine(text)}\r\n` : `-ERR [${code}] ${oneLine(text)}\r\n`;
}

/** A multi-line +OK response whose lines are short texts (LIST, UIDL, CAPA), dot-stuffed and terminated. */
export function formatMultiline(text: string, lines: readonly string[]): string {
  const body = lines.map((line) => (line.startsWith('.') ? `.${oneLine(line)}\r\n` : `${oneLine(line)}\r\n`)).join('');
  return `${formatOk(text)}${body}.\r\n`;
}

/** RFC 5034 §4: a server challenge is "+" SP base64; PLAIN has an empty one. */
export function formatSaslChallenge(base64: string): string {
  return `+ ${base64}\r\n`;
}
