// Container health probe (Dockerfile HEALTHCHECK and the ECS task health check): opens a connection to
// the service's own port, sends a PROXY v2 LOCAL header when the listeners expect one (as the NLB's
// health checks do), and exits 0 only on a protocol greeting. Trusts nothing; touches no storage.
import net from 'node:net';
import { loadConfig } from '../../core/config/index.js';

/** PROXY protocol v2 (haproxy proxy-protocol.txt §2.2): signature, version 2 + LOCAL, UNSPEC, no addresses. */
const PROXY_V2_LOCAL = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00, 0x00]);

/** Greetings: SMTP 220 (RFC 5321 §4.2), IMAP untagged OK/PREAUTH (RFC 9051 §7.1), POP3 +OK (RFC 1939 §4). */
const GREETING = /^(220[ -]|\* OK|\* PREAUTH|\+OK)/;

/** Gives up after this long: longer than a loaded service needs to greet, shorter than ECS's 5 s timeout. */
const PROBE_TIMEOUT_MS = 4000;

function probe(host: string, port: number, sendProxyHeader: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect({ host, port });
    const finish = (healthy: boolean): void => {
      socket.destroy();
      resolve(healthy);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false));
    socket.once('connect', () => {
      if (sendProxyHeader) socket.write(PROXY_V2_LOCAL);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(GREETING.test(received));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: health-probe PORT\n');
  process.exit(2);
}
const healthy = await probe('127.0.0.1', port, loadConfig().proxyProtocol);
process.exit(healthy ? 0 : 1);
