// Modified UTF-7 mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself except `&`,
// which is written `&-`; other characters are UTF-16, base64 with `,` for `/`, between `&` and `-`.

const BASE64_MUTF7 = /[+,]/gu;

export function encodeMutf7(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
    out += '&' + bytes.toString('base64').replace(/=+$/u, '').replace(/\//gu, ',') + '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flush();
      out += unit === 0x26 ? '&-' : name[i];
    } else {
      pending.push(unit);
    }
  }
  flush();
  return out;
}

/** Decodes a modified UTF-7 name; returns null when it is malformed (the caller answers BAD/NO). */
export function decodeMutf7(encoded: string): string | null {
  let out = '';
  let i = 0;
  while (i < encoded.length) {
    const ch = encoded[i] as string;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return null;
    if (ch !== '&') {
      out += ch;
      i++;
      continue;
    }
    const end = encoded.indexOf('-', i + 1);
    if (end < 0) return null;
    const run = encoded.slice(i + 1, end);
    i = end + 1;
    if (run === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/u.test(run)) return null;
    const bytes = Buffer.from(run.replace(BASE64_MUTF7, (c) => (c === ',' ? '/' : '+')), 'base64');
    if (bytes.length % 2 !== 0 || bytes.length === 0) return null;
    for (let b = 0; b < bytes.length; b += 2) out += String.fromCharCode(bytes.readUInt16BE(b));
  }
  return out;
}
