// Reads the PROXY v2 header (core/net/proxy-protocol.ts) that precedes every byte of a connection
// behind the AWS NLB: the one reader of every listener (SMTP, IMAP, POP3, the web endpoints), which
// hand the socket on afterwards (to a session, node:http or a TLS wrap). The bytes after the header
// (a pipelined command, a TLS ClientHello) are put back unread.
import type net from 'node:net';
import { parseProxyV2 } from './proxy-protocol.js';

/**
 * Resolves the client IP, or null for LOCAL headers (the NLB's health checks) and unroutable
 * families; rejects on a malformed header, on close, or after timeoutMs (the caller destroys the
 * socket). Works on sockets paused at accept (`pauseOnConnect`). The socket is left paused with the
 * bytes after the header unshifted: resume it once its next reader is attached.
 */
export function readProxyV2ClientIp(socket: net.Socket, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let header = Buffer.alloc(0);
    const settle = (error: Error | null, clientIp: string | null = null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(clientIp);
    };
    const onData = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      const result = parseProxyV2(header);
      if (result.kind === 'incomplete') return;
      if (result.kind === 'invalid') return settle(new Error(result.reason));
      socket.pause();
      const rest = header.subarray(result.consumed);
      if (rest.length > 0) socket.unshift(rest);
      settle(null, result.kind === 'proxy' ? result.source.ip : null);
    };
    const onClose = () => settle(new Error('closed before the PROXY header'));
    const timer = setTimeout(() => settle(new Error('no PROXY header in time')), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    // A socket paused at accept does not start flowing by itself when a 'data' listener is added.
    socket.resume();
  });
}
