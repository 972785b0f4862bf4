// PROXY protocol v2 header parser (haproxy.org proxy-protocol.txt §2.2), as the AWS NLB sends it,
// shared by every TCP service behind the NLB (SMTP, IMAP, POP3).
// The header precedes any protocol byte. LOCAL (the NLB health check) carries no addresses: the
// connection is the proxy's own. Malformed or oversized headers are refused, never guessed at.

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const FIXED_HEADER_BYTES = 16;
/** Addresses plus the TLVs the NLB adds (VPC endpoint id) fit easily; more is an attack. */
export const MAX_PROXY_V2_PAYLOAD_BYTES = 1024;

export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
}

export type ProxyV2Result =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'local'; readonly consumed: number }
  | { readonly kind: 'proxy'; readonly consumed: number; readonly source: ProxyEndpoint; readonly destination: ProxyEndpoint }
  /** PROXY over a family we do not route (UNSPEC, UNIX): treat like LOCAL (spec §2.2). */
  | { readonly kind: 'unspecified'; readonly consumed: number };

/** RFC 5952 text form: lower-case hex, the longest run of two or more zero groups shortened to `::`. */
function ipv6(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function parseProxyV2(input: Buffer): ProxyV2Result {
  const signatureBytes = Math.min(input.length, PROXY_V2_SIGNATURE.length);
  if (!input.subarray(0, signatureBytes).equals(PROXY_V2_SIGNATURE.subarray(0, signatureBytes))) {
    return { kind: 'invalid', reason: 'no PROXY v2 signature' };
  }
  if (input.length < FIXED_HEADER_BYTES) return { kind: 'incomplete' };
  const versionCommand = input[12] ?? 0;
  const family = input[13] ?? 0;
  const payloadBytes = input.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', reason: `unsupported version ${versionCommand >> 4}` };
  const command = versionCommand & 0x0f;
  if (command > 1) return { kind: 'invalid', reason: `unknown command ${command}` };
  if (payloadBytes > MAX_PROXY_V2_PAYLOAD_BYTES) return { kind: 'invalid', reason: `header of ${payloadBytes} octets is too long` };
  const consumed = FIXED_HEADER_BYTES + payloadBytes;
  if (input.length < consumed) return { kind: 'incomplete' };
  if (command === 0) return { kind: 'local', consumed };
  const payload = input.subarray(FIXED_HEADER_BYTES, consumed);
  switch (family) {
    case 0x11: // TCP over IPv4: 4 + 4 + 2 + 2 octets
      if (payload.length < 12) return { kind: 'invalid', reason: 'IPv4 address block too short' };
      return {
        kind: 'proxy',
        consumed,
        source: { ip: [...payload.subarray(0, 4)].join('.'), port: payload.readUInt16BE(8) },
        destination: { ip: [...payload.subarray(4, 8)].join('.'), port: payload.readUInt16BE(10) },
      };
    case 0x21: // TCP over IPv6: 16 + 16 + 2 + 2 octets
      if (payload.length < 36) return { kind: 'invalid', reason: 'IPv6 address block too short' };
      return {
        kind: 'proxy',
        consumed,
        source: { ip: ipv6(payload.subarray(0, 16)), port: payload.readUInt16BE(32) },
        destination: { ip: ipv6(payload.subarray(16, 32)), port: payload.readUInt16BE(34) },
      };
    case 0x00:
    case 0x31:
      return { kind: 'unspecified', consumed };
    default:
      return { kind: 'invalid', reason: `unsupported address family 0x${family.toString(16)}` };
  }
}
