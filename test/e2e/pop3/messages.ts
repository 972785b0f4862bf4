// Test messages whose bytes make POP3 encoding mistakes visible: every byte value but CR/LF, lines
// that start with dots (including a lone "." that would end the response early if not stuffed).

const crlf = (lines: readonly string[]) => Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'latin1');

/** 8-bit and control bytes in the body, CRLF line ends. */
export function binaryishMessage(): Buffer {
  const header = crlf(['From: bob@example.org', 'To: alice@example.test', 'Subject: every byte', 'Content-Transfer-Encoding: 8bit', '']);
  const allBytes = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => byte !== 0x0a && byte !== 0x0d));
  const lines: Buffer[] = [];
  for (let i = 0; i < 40; i += 1) lines.push(allBytes.subarray(i % 200, (i % 200) + 50), Buffer.from('\r\n'));
  return Buffer.concat([header, ...lines]);
}

/** Lines starting with dots, a lone dot in the middle and at the end. */
export function dotLeadingMessage(): Buffer {
  return crlf(['From: bob@example.org', 'Subject: dots', '', '.', '..', '.leading', 'middle . dot', '...', '.', 'end', '.']);
}

/** A header and ten numbered body lines, for TOP. */
export function numberedMessage(subject: string): Buffer {
  return crlf([`Subject: ${subject}`, 'From: bob@example.org', '', ...Array.from({ length: 10 }, (_, i) => `body line ${i + 1}`)]);
}
