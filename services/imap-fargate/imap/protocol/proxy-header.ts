// PROXY protocol v2 header (haproxy proxy-protocol.txt §2.2), as the AWS NLB sends it before any
// client byte. Pure: bytes in, client address out. Health checks send LOCAL with no address.

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const FIXED_BYTES = 16;
/** The header carries addresses and optional TLVs; anything longer than this is not an NLB. */
export const MAX_PROXY_HEADER_BYTES = 16 + 536;

export type ProxyHeaderResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** `clientIp` null for LOCAL (health checks) and unknown families: use the socket's address. */
  | { readonly kind: 'ok'; readonly clientIp: string | null; readonly clientPort: number | null; readonly headerBytes: number };

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':'); // uncompressed, still a valid RFC 4291 §2.2 form
}

export function parseProxyV2(buffer: Buffer): ProxyHeaderResult {
  const have = Math.min(buffer.length, PROXY_V2_SIGNATURE.length);
  if (!buffer.subarray(0, have).equals(PROXY_V2_SIGNATURE.subarray(0, have))) return { kind: 'invalid', reason: 'no PROXY v2 signature' };
  if (buffer.length < FIXED_BYTES) return { kind: 'incomplete' };
  const versionCommand = buffer[12] as number;
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', reason: 'not PROXY version 2' };
  const length = buffer.readUInt16BE(14);
  const headerBytes = FIXED_BYTES + length;
  if (headerBytes > MAX_PROXY_HEADER_BYTES) return { kind: 'invalid', reason: 'PROXY header too long' };
  if (buffer.length < headerBytes) return { kind: 'incomplete' };
  const command = versionCommand & 0x0f;
  if (command === 0x0) return { kind: 'ok', clientIp: null, clientPort: null, headerBytes };
  if (command !== 0x1) return { kind: 'invalid', reason: 'unknown PROXY command' };
  const family = (buffer[13] as number) >> 4;
  const body = buffer.subarray(FIXED_BYTES, headerBytes);
  if (family === 0x1 && body.length >= 12) return { kind: 'ok', clientIp: [...body.subarray(0, 4)].join('.'), clientPort: body.readUInt16BE(8), headerBytes };
  if (family === 0x2 && body.length >= 36) return { kind: 'ok', clientIp: ipv6(body.subarray(0, 16)), clientPort: body.readUInt16BE(32), headerBytes };
  return { kind: 'ok', clientIp: null, clientPort: null, headerBytes };
}
