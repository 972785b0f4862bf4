// xtext (RFC 3461 §4): printable ASCII except `+` and `=`, with `+HH` hex escapes. Used by ENVID and ORCPT.

/** Decodes xtext; returns null when it is malformed. */
export function decodeXtext(input: string): string | null {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const char = input.charCodeAt(i);
    if (char === 0x2b) {
      const hex = input.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/u.test(hex)) return null;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (char < 0x21 || char > 0x7e || char === 0x3d) {
      return null;
    } else {
      out += input[i];
    }
  }
  return out;
}
